/**
 * Input and output every tool shares: {@link dev.infero.api.io.ImageInput} (the one image reader, with channel
 * order, resize and layout as options), {@link dev.infero.api.io.Npy} (NumPy arrays) and {@link
 * dev.infero.api.io.Progress} (progress on a terminal, one plain line per stage elsewhere) and {@link
 * dev.infero.api.io.CommandErrors} (a command line's error line and exit code).
 */
package dev.infero.api.io;
