/**
 * {@code infero accuracy} (the Accuracy Checker from its YAML or from options) and {@code infero optimize} (the
 * fastest of FP32 / FP16 / INT8 within an accuracy budget); the work is done by module {@code accuracy}.
 */
package dev.infero.cli.accuracy;
