/**
 * Image ops: resizing (Interpolate, opsets 4 and 11, and the resampling arithmetic — coordinate transforms and
 * nearest, linear and cubic modes — it shares) and decoding encoded image bytes (ImageDecoder).
 */
package dev.infero.core.ops.image;
