package dev.infero.cpu.kernels;

import dev.infero.cpu.parallel.WorkerPool;
import java.util.function.IntConsumer;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * INT8 fully connected layer: {@code Y[M, N] = X[M, K] · Wᵀ} on the codes of X (one per-tensor
 * {@link ActivationQuantizer}, |a| ≤ 255) and of the constant weights {@code W[N, K]} (|w| ≤ 128), accumulated
 * exactly, then dequantized, biased and activated by the post-ops (per output column {@code step_in · scale_w[n]}).
 * <p>
 * With few rows (batch-1 classifiers: a matrix-vector product) every weight is read once and the layer is
 * memory-bound, so the codes stay bytes, a quarter of the f32 weights' traffic: each dot product loads them as a
 * {@link ByteVector}, widens them to float lanes and multiplies by the float codes of X. Each lane of the two
 * accumulators takes {@link #LANE_PRODUCTS} products per block (their sum, 512·255·128 &lt; 2^24, is exact in float);
 * then the lanes are converted to int32 and summed there, so the result is the exact integer sum for any weights.
 * <p>
 * With more rows the codes are packed as integer-valued floats for the f32 micro-kernel {@link PackedGemm#kernel},
 * as in {@link QuantizedConvKernel}: exact in float when no output column can reach 2^24 (bounded from the actual
 * weights), else carried in int32 sums by the micro-kernel ({@link PostOps#withIntegerSums}).
 */
public final class QuantizedMatMulKernel {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    /** Bytes holding one or two float vectors' worth of lanes (no byte vector is narrower than 64 bits). */
    private static final VectorSpecies<Byte> B =
            VectorSpecies.of(byte.class, VectorShape.forBitSize(Math.max(64, S.length() * Byte.SIZE)));
    private static final int PARTS = B.length() / S.length();
    private static final int LANE_PRODUCTS = 256;
    /** Elements of K summed in float by two accumulators before their lanes go to int32. */
    private static final int BLOCK = 2 * LANE_PRODUCTS * S.length();
    /** Fewer rows of X than this take the matrix-vector path. */
    public static final int MIN_GEMM_ROWS = 4;

    private final int m;
    private final int k;
    private final int n;
    private final ActivationQuantizer quantizer;
    private final PostOps post;
    /** Matrix-vector path: the codes of W, row-major. */
    private final byte[] bytes;
    /** GEMM path: the codes of W, packed. */
    private final PackedGemm packed;
    private final boolean spills;

    /**
     * @param weightCodes {@code W[N, K]} row-major, codes in [-128, 127]
     * @param post        dequantization scale per output column, bias, activation
     */
    public QuantizedMatMulKernel(int m, int k, int n, byte[] weightCodes, ActivationQuantizer quantizer,
                                 PostOps post) {
        if ((long) k * quantizer.maxAbsCode() * 128 > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("K = " + k + " may overflow int32 sums");
        }
        this.m = m;
        this.k = k;
        this.n = n;
        this.quantizer = quantizer;
        if (m < MIN_GEMM_ROWS) {
            this.bytes = weightCodes.clone();
            this.packed = null;
            this.spills = false;
        } else {
            float[] codes = new float[n * k];
            for (int i = 0; i < codes.length; i++) {
                codes[i] = weightCodes[i];
            }
            this.bytes = null;
            this.packed = new PackedGemm(n, k, codes, 0, k);
            this.spills = QuantizedConvKernel.maxRowSum(codes, 0, n, k) * quantizer.maxAbsCode()
                    >= QuantizedConvKernel.EXACT;
        }
        this.post = spills ? post.withIntegerSums() : post;
    }

    /** Whether this runs the matrix-vector path over byte codes. */
    public boolean isGemv() {
        return bytes != null;
    }

    /** Whether GEMM sums are carried in int32 between K blocks (for tests). */
    public boolean spills() {
        return spills;
    }

    public Scratch newScratch(int threads) {
        return new Scratch(threads);
    }

    /** Per-request buffers: X's codes (transposed into a zero-padded panel for the GEMM), and Yᵀ. */
    public final class Scratch {
        private final int ld = (m + PackedGemm.NR - 1) / PackedGemm.NR * PackedGemm.NR;
        private final float[] codes = new float[m * k];
        private final float[] cols = new float[packed != null ? k * ld : 0];
        private final float[] yt = new float[n * ld];
        /** Per thread: one vector's lanes, added up as integers (an int vector sum here was sometimes left boxed). */
        private final float[][] lanes;
        private final IntConsumer task = this::runTask;
        private int tasks;

        Scratch(int threads) {
            lanes = new float[threads][S.length()];
        }

        private void runTask(int t) {
            // Output columns (rows of Yᵀ) in whole MR panels, dealt out in contiguous ranges.
            int panels = (n + PackedGemm.MR - 1) / PackedGemm.MR;
            int per = (panels + tasks - 1) / tasks;
            int from = Math.min(n, t * per * PackedGemm.MR);
            int to = Math.min(n, (t + 1) * per * PackedGemm.MR);
            if (bytes != null) {
                for (int col = from; col < to; col++) {
                    for (int row = 0; row < m; row++) {
                        yt[col * ld + row] = dot(bytes, col * k, codes, row * k, lanes[t]);
                    }
                }
            } else {
                gemm(this, from, to);
            }
            for (int col = from; col < to; col++) {
                post.apply(yt, col * ld, m, col, null);
            }
        }
    }

    /** {@code y[M, N]} from {@code x[M, K]}. */
    public void run(float[] x, float[] y, Scratch s, WorkerPool pool) {
        quantizer.quantize(x, 0, s.codes, 0, m * k);
        if (packed != null) {
            for (int p = 0; p < k; p++) {
                for (int j = 0; j < s.ld; j++) {
                    s.cols[p * s.ld + j] = j < m ? s.codes[j * k + p] : 0f;
                }
            }
        }
        int minPerTask = Math.max(PackedGemm.MR, 64 * 1024 / Math.max(1, m * k));
        s.tasks = Math.max(1, Math.min(Math.min(pool.maxThreads(), s.lanes.length), (n + minPerTask - 1) / minPerTask));
        pool.parallelFor(s.tasks, s.task);
        for (int row = 0; row < m; row++) {
            for (int col = 0; col < n; col++) {
                y[row * n + col] = s.yt[col * s.ld + row];
            }
        }
    }

    /** Rows [from, to) of Yᵀ = W · Xᵀ on the packed codes, exact. */
    private void gemm(Scratch s, int from, int to) {
        int nr = PackedGemm.NR;
        int mr = PackedGemm.MR;
        for (int p = 0; p < k; p += PackedGemm.KC) {
            int depth = Math.min(PackedGemm.KC, k - p);
            for (int j = 0; j < s.ld; j += nr) {
                for (int i = from; i < to; i += mr) {
                    PackedGemm.kernel(depth, packed.packed(), packed.blockOffset(i / mr, p), s.cols, p * s.ld + j,
                            s.ld, s.yt, i * s.ld + j, s.ld, Math.min(mr, to - i), p == 0, spills);
                }
            }
        }
    }

    /** The exact integer dot product of {@code k} byte codes and {@code k} float codes. */
    private int dot(byte[] w, int wOff, float[] x, int xOff, float[] lanes) {
        int step = B.length();
        int vectorEnd = k - k % (2 * step);
        int sum = 0;
        for (int b0 = 0; b0 < vectorEnd; b0 += BLOCK) {
            FloatVector acc0 = FloatVector.zero(S);
            FloatVector acc1 = FloatVector.zero(S);
            for (int i = b0, end = Math.min(vectorEnd, b0 + BLOCK); i < end; i += 2 * step) {
                // Written out here rather than in a helper taking and returning vectors: when C2 declines to inline
                // such a helper, every call boxes its vectors.
                ByteVector c0 = ByteVector.fromArray(B, w, wOff + i);
                ByteVector c1 = ByteVector.fromArray(B, w, wOff + i + step);
                for (int part = 0; part < PARTS; part++) {
                    int o = part * S.length();
                    acc0 = ((FloatVector) c0.convertShape(VectorOperators.B2F, S, part))
                            .fma(FloatVector.fromArray(S, x, xOff + i + o), acc0);
                    acc1 = ((FloatVector) c1.convertShape(VectorOperators.B2F, S, part))
                            .fma(FloatVector.fromArray(S, x, xOff + i + step + o), acc1);
                }
            }
            // Each lane holds at most 2·256 products' sum (< 2^24): exact in float and in the conversion.
            acc0.add(acc1).intoArray(lanes, 0);
            for (float lane : lanes) {
                sum += (int) lane;
            }
        }
        for (int i = vectorEnd; i < k; i++) {
            sum += w[wOff + i] * (int) x[xOff + i];
        }
        return sum;
    }
}
