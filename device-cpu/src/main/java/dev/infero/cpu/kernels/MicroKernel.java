package dev.infero.cpu.kernels;

import dev.infero.cpu.jit.GemmKernel;
import dev.infero.cpu.jit.Jit;
import dev.infero.cpu.jit.KernelCache;
import jdk.incubator.vector.FloatVector;

/**
 * The GEMM micro-kernel a layer runs: generated x86-64 code ({@link GemmKernel}, from the compiling model's
 * {@link KernelCache}) when the JIT is on ({@link Jit#isa()}), else the Vector API {@link PackedGemm#kernel}. Same
 * packed layout and tile ({@link PackedGemm#MR} × {@link PackedGemm#NR}) either way, so the weights packed once serve
 * both. Immutable; chosen when the layer is compiled.
 */
public final class MicroKernel {
    /** The Vector API kernel. */
    public static final MicroKernel VECTOR = new MicroKernel(null, null);

    private static final int MR = PackedGemm.MR;
    private static final int NR = PackedGemm.NR;

    private final Jit.Isa isa;
    private final KernelCache cache;
    /** [mode][mr - 1]: no post-ops, full width. */
    private final GemmKernel[][] plain;
    /** [mode][mr - 1]: no post-ops, under opmasks (AVX-512), for the narrow last column panel. */
    private final GemmKernel[][] masked;

    private MicroKernel(Jit.Isa isa, KernelCache cache) {
        this.isa = isa;
        this.cache = cache;
        int modes = isa == null ? 0 : GemmKernel.Mode.values().length;
        this.plain = new GemmKernel[modes][MR];
        this.masked = new GemmKernel[isa == Jit.Isa.AVX512 ? modes : 0][MR];
        for (GemmKernel.Mode mode : GemmKernel.Mode.values()) {
            for (int mr = 1; mr <= MR && isa != null; mr++) {
                plain[mode.ordinal()][mr - 1] = kernel(mode, mr, PostOps.NONE, false);
                if (masked.length > 0) {
                    masked[mode.ordinal()][mr - 1] = kernel(mode, mr, PostOps.NONE, true);
                }
            }
        }
    }

    /** The micro-kernel for a layer compiled now: generated for {@link Jit#isa()}, or the Vector API one. */
    public static MicroKernel forCompilation() {
        return of(Jit.isa());
    }

    /** Generated for {@code isa} ({@code null}: the Vector API kernel), in the current {@link KernelCache}. */
    public static MicroKernel of(Jit.Isa isa) {
        return isa == null ? VECTOR : new MicroKernel(isa, KernelCache.current());
    }

    /** Whether generated code runs. */
    public boolean isJit() {
        return isa != null;
    }

    /** Whether column tails run under opmasks (AVX-512) rather than through a zero-padded copy. */
    boolean masksTails() {
        return masked.length > 0;
    }

    /** For exec types: {@code jit_avx512}, {@code jit_avx2} or {@code vector512}. */
    public String implementation() {
        return isa != null ? "jit_" + isa.label() : "vector" + FloatVector.SPECIES_PREFERRED.vectorBitSize();
    }

    GemmKernel kernel(GemmKernel.Mode mode, int mr, PostOps post, boolean tail) {
        return new GemmKernel(cache, new GemmKernel.Key(isa, MR, mr, NR, mode, post.jitScale() != null,
                post.jitBias() != null, post.hasResidual(), post.jitActivation(), tail));
    }

    private static int mode(boolean first, boolean integerSums) {
        return (integerSums ? 2 : 0) + (first ? 0 : 1);
    }

    /** {@link PackedGemm#kernel}'s contract: one MR×NR tile of C over kc steps, rows past {@code mr} untouched. */
    void tile(int kc, float[] pa, int ai, float[] b, int bi, int ldb, float[] c, int cc, int ldc, int mr,
              boolean first, boolean integerSums) {
        if (isa == null) {
            PackedGemm.kernel(kc, pa, ai, b, bi, ldb, c, cc, ldc, mr, first, integerSums);
            return;
        }
        sweep(kc, 1, pa, ai, 0, b, bi, ldb, 0, c, cc, ldc, 0, mr, first, integerSums);
    }

    /**
     * {@code count} tiles of {@link #tile}, each {@code aStep}, {@code bStep}, {@code cStep} elements after the
     * previous one (generated code: one call).
     */
    void sweep(int kc, int count, float[] pa, int ai, int aStep, float[] b, int bi, int ldb, int bStep, float[] c,
               int cc, int ldc, int cStep, int mr, boolean first, boolean integerSums) {
        if (isa == null) {
            for (int t = 0; t < count; t++) {
                PackedGemm.kernel(kc, pa, ai + t * aStep, b, bi + t * bStep, ldb, c, cc + t * cStep, ldc, mr, first,
                        integerSums);
            }
            return;
        }
        if (kc == 0) {
            return;
        }
        plain[mode(first, integerSums)][mr - 1].run(kc, count, pa, ai, aStep, b, bi, ldb, bStep, c, cc, ldc, cStep,
                NR, null, 0, null, 0, 0, null, 0, 0);
    }

    /** {@link #sweep} of tiles {@code width} &lt; NR columns wide, under opmasks (only when {@link #masksTails}). */
    void sweepMasked(int kc, int count, float[] pa, int ai, int aStep, float[] b, int bi, int ldb, int bStep,
                     float[] c, int cc, int ldc, int cStep, int mr, int width, boolean first, boolean integerSums) {
        if (kc == 0) {
            return;
        }
        masked[mode(first, integerSums)][mr - 1].run(kc, count, pa, ai, aStep, b, bi, ldb, bStep, c, cc, ldc,
                cStep, width, null, 0, null, 0, 0, null, 0, 0);
    }

    /**
     * The segmented kernel for {@code mr} rows (each tile sums over a {@link GemmKernel.Segments} table, in
     * registers), or {@code null} when the JIT is off.
     */
    GemmKernel segmented(int mr) {
        return isa == null ? null : new GemmKernel(cache, new GemmKernel.Key(isa, MR, mr, NR, GemmKernel.Mode.FIRST,
                false, false, false, GemmKernel.Activation.NONE, false, true));
    }

    /** The full-width kernel without post-ops for this K block. */
    GemmKernel plain(boolean first, boolean integerSums, int mr) {
        return plain[mode(first, integerSums)][mr - 1];
    }

    /** The masked kernel without post-ops (AVX-512). */
    GemmKernel masked(boolean first, boolean integerSums, int mr) {
        return masked[mode(first, integerSums)][mr - 1];
    }

    /**
     * The kernels applying {@code post} in registers on the last K block, or {@code null} when these post-ops cannot
     * run there (int32 sums, codes, activations other than ReLU and clamp) or the JIT is off.
     */
    public Fused fuse(PostOps post) {
        if (isa == null || !post.jitFusable() || post.isIdentity()) {
            return null;
        }
        return new Fused(this, post);
    }

    /** Kernels with a layer's post-ops: [first ? 0 : 1][mr - 1], full width and masked. */
    public static final class Fused {
        final GemmKernel[][] full = new GemmKernel[2][MR];
        final GemmKernel[][] tail;
        final float[] scale;
        final float[] bias;
        final float alpha;
        final float beta;

        Fused(MicroKernel micro, PostOps post) {
            tail = new GemmKernel[micro.masksTails() ? 2 : 0][MR];
            for (int f = 0; f < 2; f++) {
                GemmKernel.Mode mode = f == 0 ? GemmKernel.Mode.FIRST : GemmKernel.Mode.ACCUMULATE;
                for (int mr = 1; mr <= MR; mr++) {
                    full[f][mr - 1] = micro.kernel(mode, mr, post, false);
                    if (tail.length > 0) {
                        tail[f][mr - 1] = micro.kernel(mode, mr, post, true);
                    }
                }
            }
            scale = post.jitScale();
            bias = post.jitBias();
            alpha = post.jitAlpha();
            beta = post.jitBeta();
        }
    }
}
