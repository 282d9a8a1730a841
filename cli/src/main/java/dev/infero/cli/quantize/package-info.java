/**
 * {@code infero quantize} and {@code infero compare}: the commands over the quantize module, with the sample
 * file listing they share.
 */
package dev.infero.cli.quantize;
