/** Translators of TensorFlow ops into Infero's opset, one class per op family. */
package dev.infero.tf.ops;
