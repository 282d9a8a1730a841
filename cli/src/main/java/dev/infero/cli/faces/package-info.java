/**
 * {@code infero faces}: the face pipeline ({@code dev.infero.vision.FacePipeline}) over a folder of photos, with
 * annotated PNGs, per-photo JSON, FP16/INT8 variants made on the fly and FP32-vs-variant landmark drift.
 */
package dev.infero.cli.faces;
