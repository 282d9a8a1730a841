package dev.infero.cpu.step;

import dev.infero.cpu.kernels.PostOps;
import jdk.incubator.vector.FloatVector;

/**
 * How a step runs, as the per-layer counters ({@code benchmark -pc}) print it:
 * {@code kernel[_precision][+post-ops][+quantize[_u8]]}, e.g. {@code gemm_avx512_FP32+relu}, {@code depthwise_vector512_FP32},
 * {@code 1x1_I8+scale+relu+quantize} or {@code reference_FP32}. Every step builds its exec type here and nowhere else.
 *
 * @param kernel      the math that runs: its strategy and implementation, e.g. {@code gemm_avx512}
 * @param precision   the element type it computes in, e.g. {@code FP32}, {@code I8}; {@code null} for plain copies
 * @param postOps     the fused post-ops, {@code +}-separated, or empty
 * @param writesCodes whether the step writes the codes of the FakeQuantize after it instead of values
 * @param quads       whether it writes them as u8 quads ({@code +quantize_u8}), the INT8 tiles' input layout
 */
public record ExecType(String kernel, String precision, String postOps, boolean writesCodes, boolean quads) {
    /** The Vector API implementation at this CPU's preferred width, e.g. {@code vector512}. */
    public static final String VECTOR = "vector" + FloatVector.SPECIES_PREFERRED.vectorBitSize();
    /**
     * The precision of a value-preserving step (Concat, MaxPool) moving the INT8 codes its producers wrote for the
     * FakeQuantize after it, e.g. {@code concat_inplace_I8_codes}.
     */
    public static final String CODES = "I8_codes";

    /** {@code kernel} computing in {@code precision}, without post-ops. */
    public static ExecType of(String kernel, String precision) {
        return new ExecType(kernel, precision, "", false, false);
    }

    /** {@code kernel_VECTOR} (the Vector API at the preferred width) computing in {@code precision}. */
    public static ExecType vector(String kernel, String precision) {
        return of(kernel + "_" + VECTOR, precision);
    }

    /** This with {@code post} appended to the post-ops (nothing for the identity). */
    public ExecType with(PostOps post) {
        return post.isIdentity() ? this : with(post.describe());
    }

    /** This with {@code postOp} appended to the post-ops. */
    public ExecType with(String postOp) {
        return new ExecType(kernel, precision, postOps.isEmpty() ? postOp : postOps + "+" + postOp, writesCodes,
                quads);
    }

    /** This step writing codes instead of values. */
    public ExecType writingCodes() {
        return new ExecType(kernel, precision, postOps, true, false);
    }

    /** This step writing codes as u8 quads. */
    public ExecType writingQuads() {
        return new ExecType(kernel, precision, postOps, true, true);
    }

    @Override
    public String toString() {
        return kernel + (precision == null ? "" : "_" + precision) + (postOps.isEmpty() ? "" : "+" + postOps)
                + (writesCodes ? quads ? "+quantize_u8" : "+quantize" : "");
    }
}
