package dev.infero.cpu.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Single-precision matrix multiply {@code C = A·B (+ C)} for row-major matrices over {@link PackedGemm}'s panels
 * and micro-kernel. The layers do not call it: convolutions and MatMul steps drive {@code PackedGemm} themselves (with
 * their own packing and post-ops); this standalone driver is the GEMM that {@code SgemmTest} checks and the GEMM
 * benchmark measures. Classic GotoBLAS structure: B is packed into panels of {@link #NR} columns,
 * A into panels of {@link #MR} rows, both blocked by {@link #KC} along K so a panel pair stays in L1/L2, and a
 * register-blocked micro-kernel keeps an MR×NR tile of C in vector registers while streaming K.
 *
 * <p>NR is two vectors wide: 32 floats with AVX-512, 16 with AVX2, so the kernel adapts to the machine's vector
 * width and stays correct on any width (edges use masked loads and stores).
 */
public final class Sgemm {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    /** Rows of C held in registers: 6 rows × 2 vectors = 12 accumulators, leaving registers for A and B. */
    public static final int MR = PackedGemm.MR;
    /** Columns of C held in registers: two vectors. */
    public static final int NR = PackedGemm.NR;
    /** Depth of a packed panel pair: 6×256 + 256×32 floats fit L2 comfortably alongside C. */
    public static final int KC = 256;
    /** Rows of A packed per block (a multiple of MR). */
    public static final int MC = MR * 24;

    private Sgemm() {
    }

    /** Scratch buffers sized for the blocking above; one per thread, reused across calls. */
    public static final class Workspace {
        final float[] packedA = new float[MC * KC];
        float[] packedB = new float[0];

        float[] packedB(int n) {
            int needed = roundUp(n, NR) * KC;
            if (packedB.length < needed) {
                packedB = new float[needed];
            }
            return packedB;
        }
    }

    /**
     * {@code C[m×n] = A[m×k]·B[k×n]} (or {@code +=} when {@code accumulate}), all row-major with leading dimensions
     * lda, ldb, ldc and offsets into the arrays.
     */
    public static void multiply(int m, int n, int k, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                                float[] c, int cOff, int ldc, boolean accumulate, Workspace ws) {
        if (!accumulate) {
            for (int i = 0; i < m; i++) {
                java.util.Arrays.fill(c, cOff + i * ldc, cOff + i * ldc + n, 0f);
            }
        }
        if (k == 0) {
            return;
        }
        float[] pb = ws.packedB(n);
        float[] pa = ws.packedA;
        for (int p = 0; p < k; p += KC) {
            int kc = Math.min(KC, k - p);
            packB(b, bOff + p * ldb, ldb, kc, n, pb);
            for (int i = 0; i < m; i += MC) {
                int mc = Math.min(MC, m - i);
                packA(a, aOff + i * lda + p, lda, mc, kc, pa);
                for (int j = 0; j < n; j += NR) {
                    int nr = Math.min(NR, n - j);
                    int pbOff = (j / NR) * NR * kc;
                    for (int ii = 0; ii < mc; ii += MR) {
                        int mr = Math.min(MR, mc - ii);
                        int paOff = (ii / MR) * MR * kc;
                        int cc = cOff + (i + ii) * ldc + j;
                        if (mr == MR && nr == NR) {
                            PackedGemm.kernel(kc, pa, paOff, pb, pbOff, NR, c, cc, ldc, MR, false);
                        } else {
                            kernelEdge(mr, nr, kc, pa, paOff, pb, pbOff, c, cc, ldc);
                        }
                    }
                }
            }
        }
    }

    /**
     * The same product split across {@code pool}: by column blocks when C is wide (each thread packs its own part of
     * B), else by row blocks. {@code ws} holds one workspace per pool thread.
     */
    public static void multiply(int m, int n, int k, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                                float[] c, int cOff, int ldc, boolean accumulate, Workspace[] ws,
                                dev.infero.cpu.parallel.WorkerPool pool) {
        int t = pool.threads();
        int colBlocks = (n + NR - 1) / NR;
        int rowBlocks = (m + MR - 1) / MR;
        if (t == 1 || (long) m * n * k < 64 * 64 * 64) {
            multiply(m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate, ws[0]);
        } else if (colBlocks >= 2 * t || colBlocks >= rowBlocks) {
            int per = (colBlocks + t - 1) / t * NR;
            pool.parallelFor(t, task -> {
                int j0 = task * per;
                int width = Math.min(per, n - j0);
                if (width > 0) {
                    multiply(m, width, k, a, aOff, lda, b, bOff + j0, ldb, c, cOff + j0, ldc, accumulate, ws[task]);
                }
            });
        } else {
            int per = (rowBlocks + t - 1) / t * MR;
            pool.parallelFor(t, task -> {
                int i0 = task * per;
                int height = Math.min(per, m - i0);
                if (height > 0) {
                    multiply(height, n, k, a, aOff + i0 * lda, lda, b, bOff, ldb, c, cOff + i0 * ldc, ldc,
                            accumulate, ws[task]);
                }
            });
        }
    }

    /** Packs B[kc×n] into NR-wide column panels, each stored k-major; the last panel is zero-padded. */
    static void packB(float[] b, int off, int ldb, int kc, int n, float[] pb) {
        int panels = (n + NR - 1) / NR;
        for (int panel = 0; panel < panels; panel++) {
            int j = panel * NR;
            int w = Math.min(NR, n - j);
            int dst = panel * NR * kc;
            for (int p = 0; p < kc; p++) {
                int src = off + p * ldb + j;
                if (w == NR) {
                    System.arraycopy(b, src, pb, dst, NR);
                } else {
                    System.arraycopy(b, src, pb, dst, w);
                    java.util.Arrays.fill(pb, dst + w, dst + NR, 0f);
                }
                dst += NR;
            }
        }
    }

    /** Packs A[mc×kc] into MR-tall row panels, each stored k-major (MR values per k); padded with zeros. */
    static void packA(float[] a, int off, int lda, int mc, int kc, float[] pa) {
        for (int i = 0; i < mc; i += MR) {
            int h = Math.min(MR, mc - i);
            int dst = (i / MR) * MR * kc;
            for (int p = 0; p < kc; p++) {
                for (int r = 0; r < MR; r++) {
                    pa[dst++] = r < h ? a[off + (i + r) * lda + p] : 0f;
                }
            }
        }
    }

    /** Partial tiles at the bottom and right edges: the same math one row at a time, with masked columns. */
    private static void kernelEdge(int mr, int nr, int kc, float[] pa, int ai, float[] pb, int bi, float[] c,
                                   int cc, int ldc) {
        var m0 = S.indexInRange(0, nr);
        var m1 = S.indexInRange(L, nr);
        for (int r = 0; r < mr; r++) {
            int row = cc + r * ldc;
            FloatVector acc0 = FloatVector.fromArray(S, c, row, m0);
            FloatVector acc1 = FloatVector.fromArray(S, c, row + L, m1);
            int a = ai + r;
            int b = bi;
            for (int p = 0; p < kc; p++) {
                FloatVector av = FloatVector.broadcast(S, pa[a]);
                acc0 = av.fma(FloatVector.fromArray(S, pb, b), acc0);
                acc1 = av.fma(FloatVector.fromArray(S, pb, b + L), acc1);
                a += MR;
                b += NR;
            }
            acc0.intoArray(c, row, m0);
            acc1.intoArray(c, row + L, m1);
        }
    }

    static int roundUp(int x, int multiple) {
        return (x + multiple - 1) / multiple * multiple;
    }

}
