/**
 * The TensorFlow frontend: frozen GraphDefs (binary and text), OpenCV companion text graphs and SavedModels read
 * into Infero's graph, NHWC converted layout-aware ({@link dev.infero.tf.TfValue}).
 */
package dev.infero.tf;
