/**
 * Ops that fit no other family (Einsum, GridSample, Fourier transforms, Unique, Col2Im, rotary embedding and
 * others), registered by {@code MiscOpSet}.
 */
package dev.infero.core.ops.misc;
