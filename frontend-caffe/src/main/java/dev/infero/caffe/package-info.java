/**
 * The Caffe frontend: a {@code deploy.prototxt} (protobuf text format) with the {@code .caffemodel} holding its
 * weights (binary {@code NetParameter}), both parsed with Infero's own {@code caffe.proto}, translated layer by layer
 * into Infero's graph ({@link dev.infero.caffe.CaffeImporter}) and registered as frontend {@code caffe}
 * ({@link dev.infero.caffe.CaffeFrontend}).
 */
package dev.infero.caffe;
