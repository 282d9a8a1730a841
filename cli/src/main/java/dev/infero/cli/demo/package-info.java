/**
 * The model and images of {@code infero demo}: a small MobileNet-like classifier with deterministic weights and
 * generated images, so the whole convert, quantize and benchmark path runs without downloads.
 */
package dev.infero.cli.demo;
