/**
 * Offline conversion ({@code infero convert}, OpenVINO's Model Optimizer): {@link
 * dev.infero.api.convert.ModelConverter} cuts inputs and outputs, reshapes, embeds preprocessing, optimizes, optionally
 * compresses weights to FP16 and writes IR v11; {@link dev.infero.api.convert.ConvertOptions} holds the options.
 */
package dev.infero.api.convert;
