package dev.infero.cpu.kernels;

import dev.infero.cpu.jit.PackedWeights;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@code y[N] = W[N, K] · x[K]} for constant weights and one row of activations (a fully connected layer at batch
 * 1), then post-ops along the output: memory-bound, every weight is read once per call, so the kernel is built
 * around the weight stream. The weights are packed once into 64-byte-aligned native memory as units of output
 * columns: {@link #BLOCK_VECTORS} vectors of columns ({@code 4·L}, 64 with AVX-512) k-major, so one step of K reads
 * those columns' weights as whole aligned vectors next to each other, then the columns left over one vector at a
 * time (zero past N). Each step of K broadcasts one {@code x[k]} and adds it times a weight vector to each column
 * vector's sum: no horizontal sums, and with even and odd k summed apart the FMAs of consecutive steps do not wait
 * for each other. Every column's sum is taken in one order, the even and the odd k in k order, then added: equal
 * products give equal sums in every column. Aligned loads stream about twice as fast as the row-major dot products
 * over a heap array they replace (whose loads straddle cache lines), up to the L2's bandwidth. Weights too large
 * for the caches come from memory, where one sequential stream is limited by the misses in flight: the blocks of
 * a range go in pairs, two streams at once (1000×2048 after 64 MB of other writes, 1 thread: 0.285 → 0.170 ms, 28
 * → 48 GB/s).
 * <p>
 * Work is cut into {@link #units()} (column blocks, then single column vectors) that threads may share out; the
 * post-ops are applied to each unit's columns as it is finished, while they are in L1.
 */
public final class Gemv {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    /** Column vectors per block: with two K phases, eight independent sums. */
    public static final int BLOCK_VECTORS = 4;
    private static final int BLOCK = BLOCK_VECTORS * L;
    private static final long VECTOR_BYTES = 4L * L;
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();

    private final int n;
    private final int k;
    /** Full column blocks; then {@link #singles} units of one column vector each. */
    private final int blocks;
    private final int singles;
    private final MemorySegment packed;
    /** Columns of the last column vector inside N. */
    private final int lastColumns;

    /** Packs the row-major {@code W[n, k]} at {@code w[wOff]} (row c holds what output c reads). */
    public Gemv(int n, int k, float[] w, int wOff) {
        if (n <= 0 || k <= 0) {
            throw new IllegalArgumentException("gemv needs a positive shape, got " + n + "×" + k);
        }
        if (wOff < 0 || wOff + (long) n * k > w.length) {
            throw new IndexOutOfBoundsException("gemv weights [" + wOff + ", " + (wOff + (long) n * k)
                    + ") outside an array of " + w.length);
        }
        this.n = n;
        this.k = k;
        this.blocks = n / BLOCK;
        this.singles = (n - blocks * BLOCK + L - 1) / L;
        int columns = blocks * BLOCK + singles * L;
        this.packed = PackedWeights.allocate(4L * columns * k);
        float[] row = new float[Math.max(BLOCK, L)];
        long at = 0;
        for (int u = 0; u < blocks + singles; u++) {
            int first = columnOf(u);
            int width = u < blocks ? BLOCK : L;
            for (int p = 0; p < k; p++) {
                for (int j = 0; j < width; j++) {
                    int c = first + j;
                    row[j] = c < n ? w[wOff + c * k + p] : 0f;
                }
                MemorySegment.copy(row, 0, packed, ValueLayout.JAVA_FLOAT, at, width);
                at += 4L * width;
            }
        }
        this.lastColumns = n - (columns - L);
    }

    public int n() {
        return n;
    }

    public int k() {
        return k;
    }

    /** Units of work (column blocks and single column vectors), in column order. */
    public int units() {
        return blocks + singles;
    }

    /** The first output column of unit {@code u}. */
    public int columnOf(int u) {
        return u < blocks ? u * BLOCK : blocks * BLOCK + (u - blocks) * L;
    }

    /** Floats of the scratch {@link #multiply} needs (for the last column vector, when N ends inside it). */
    public static int scratchFloats() {
        return L;
    }

    /**
     * {@code y[yOff + c] = post(Σ_p x[xOff + p]·W[c][p])} for the columns c of units [{@code from}, {@code to});
     * {@code res} holds a residual at {@code y}'s offsets when the post-ops add one; {@code scratch} holds at least
     * {@link #scratchFloats()}.
     */
    public void multiply(float[] x, int xOff, float[] y, int yOff, int from, int to, PostOps.AlongChannels post,
                         float[] res,
                         float[] scratch) {
        if (from < 0 || to > units() || from > to) {
            throw new IndexOutOfBoundsException("gemv units [" + from + ", " + to + ") of " + units());
        }
        if (scratch.length < L) {
            throw new IllegalArgumentException("gemv scratch of " + scratch.length + " floats, needs " + L);
        }
        if (xOff < 0 || xOff + k > x.length || yOff < 0 || yOff + n > y.length) {
            throw new IndexOutOfBoundsException("gemv " + n + "×" + k + ": x at " + xOff + " of " + x.length
                    + ", y at " + yOff + " of " + y.length);
        }
        // The range's column blocks in pairs, block i with block i + pairs: two weight streams from memory at once
        // (light ResNet-50's 1000×2048 layer from memory 28 → 46 GB/s), then whatever is left one unit at a time.
        int pairs = Math.max(0, (Math.min(to, blocks) - from) / 2);
        for (int i = 0; i < pairs; i++) {
            int u = from + i;
            int v = from + pairs + i;
            blockPair(x, xOff, y, yOff + columnOf(u), (long) u * BLOCK * k * 4, yOff + columnOf(v),
                    (long) v * BLOCK * k * 4);
            post.apply(y, yOff + columnOf(u), BLOCK, columnOf(u), res);
            post.apply(y, yOff + columnOf(v), BLOCK, columnOf(v), res);
        }
        for (int u = from + 2 * pairs; u < to; u++) {
            int first = columnOf(u);
            if (u < blocks) {
                block(x, xOff, y, yOff + first, (long) u * BLOCK * k * 4);
            } else {
                long at = ((long) blocks * BLOCK + (long) (u - blocks) * L) * k * 4;
                if (first + L <= n) {
                    single(x, xOff, y, yOff + first, at);
                } else {
                    single(x, xOff, scratch, 0, at);
                    System.arraycopy(scratch, 0, y, yOff + first, lastColumns);
                }
            }
            int end = Math.min(n, u < blocks ? first + BLOCK : first + L);
            post.apply(y, yOff + first, end - first, first, res);
        }
    }

    /**
     * Two blocks at bytes {@code at} and {@code at2}, written to {@code y} at {@code yAt} and {@code zAt}: two weight
     * streams at once, each column summed exactly as {@link #block} sums it.
     */
    private void blockPair(float[] x, int xOff, float[] y, int yAt, long at, int zAt, long at2) {
        MemorySegment w = packed;
        FloatVector a0 = FloatVector.zero(S);
        FloatVector a1 = a0;
        FloatVector a2 = a0;
        FloatVector a3 = a0;
        FloatVector b0 = a0;
        FloatVector b1 = a0;
        FloatVector b2 = a0;
        FloatVector b3 = a0;
        FloatVector c0 = a0;
        FloatVector c1 = a0;
        FloatVector c2 = a0;
        FloatVector c3 = a0;
        FloatVector d0 = a0;
        FloatVector d1 = a0;
        FloatVector d2 = a0;
        FloatVector d3 = a0;
        long o = at;
        long q = at2;
        int p = 0;
        for (; p + 1 < k; p += 2, o += 8 * VECTOR_BYTES, q += 8 * VECTOR_BYTES) {
            FloatVector xa = FloatVector.broadcast(S, x[xOff + p]);
            FloatVector xb = FloatVector.broadcast(S, x[xOff + p + 1]);
            a0 = FloatVector.fromMemorySegment(S, w, o, ORDER).fma(xa, a0);
            a1 = FloatVector.fromMemorySegment(S, w, o + VECTOR_BYTES, ORDER).fma(xa, a1);
            a2 = FloatVector.fromMemorySegment(S, w, o + 2 * VECTOR_BYTES, ORDER).fma(xa, a2);
            a3 = FloatVector.fromMemorySegment(S, w, o + 3 * VECTOR_BYTES, ORDER).fma(xa, a3);
            c0 = FloatVector.fromMemorySegment(S, w, q, ORDER).fma(xa, c0);
            c1 = FloatVector.fromMemorySegment(S, w, q + VECTOR_BYTES, ORDER).fma(xa, c1);
            c2 = FloatVector.fromMemorySegment(S, w, q + 2 * VECTOR_BYTES, ORDER).fma(xa, c2);
            c3 = FloatVector.fromMemorySegment(S, w, q + 3 * VECTOR_BYTES, ORDER).fma(xa, c3);
            b0 = FloatVector.fromMemorySegment(S, w, o + 4 * VECTOR_BYTES, ORDER).fma(xb, b0);
            b1 = FloatVector.fromMemorySegment(S, w, o + 5 * VECTOR_BYTES, ORDER).fma(xb, b1);
            b2 = FloatVector.fromMemorySegment(S, w, o + 6 * VECTOR_BYTES, ORDER).fma(xb, b2);
            b3 = FloatVector.fromMemorySegment(S, w, o + 7 * VECTOR_BYTES, ORDER).fma(xb, b3);
            d0 = FloatVector.fromMemorySegment(S, w, q + 4 * VECTOR_BYTES, ORDER).fma(xb, d0);
            d1 = FloatVector.fromMemorySegment(S, w, q + 5 * VECTOR_BYTES, ORDER).fma(xb, d1);
            d2 = FloatVector.fromMemorySegment(S, w, q + 6 * VECTOR_BYTES, ORDER).fma(xb, d2);
            d3 = FloatVector.fromMemorySegment(S, w, q + 7 * VECTOR_BYTES, ORDER).fma(xb, d3);
        }
        if (p < k) {
            FloatVector xa = FloatVector.broadcast(S, x[xOff + p]);
            a0 = FloatVector.fromMemorySegment(S, w, o, ORDER).fma(xa, a0);
            a1 = FloatVector.fromMemorySegment(S, w, o + VECTOR_BYTES, ORDER).fma(xa, a1);
            a2 = FloatVector.fromMemorySegment(S, w, o + 2 * VECTOR_BYTES, ORDER).fma(xa, a2);
            a3 = FloatVector.fromMemorySegment(S, w, o + 3 * VECTOR_BYTES, ORDER).fma(xa, a3);
            c0 = FloatVector.fromMemorySegment(S, w, q, ORDER).fma(xa, c0);
            c1 = FloatVector.fromMemorySegment(S, w, q + VECTOR_BYTES, ORDER).fma(xa, c1);
            c2 = FloatVector.fromMemorySegment(S, w, q + 2 * VECTOR_BYTES, ORDER).fma(xa, c2);
            c3 = FloatVector.fromMemorySegment(S, w, q + 3 * VECTOR_BYTES, ORDER).fma(xa, c3);
        }
        a0.add(b0).intoArray(y, yAt);
        a1.add(b1).intoArray(y, yAt + L);
        a2.add(b2).intoArray(y, yAt + 2 * L);
        a3.add(b3).intoArray(y, yAt + 3 * L);
        c0.add(d0).intoArray(y, zAt);
        c1.add(d1).intoArray(y, zAt + L);
        c2.add(d2).intoArray(y, zAt + 2 * L);
        c3.add(d3).intoArray(y, zAt + 3 * L);
    }

    /** One block of {@link #BLOCK_VECTORS} column vectors at byte {@code at} of the packed weights. */
    private void block(float[] x, int xOff, float[] y, int yAt, long at) {
        MemorySegment w = packed;
        FloatVector a0 = FloatVector.zero(S);
        FloatVector a1 = a0;
        FloatVector a2 = a0;
        FloatVector a3 = a0;
        FloatVector b0 = a0;
        FloatVector b1 = a0;
        FloatVector b2 = a0;
        FloatVector b3 = a0;
        long o = at;
        int p = 0;
        for (; p + 1 < k; p += 2, o += 8 * VECTOR_BYTES) {
            FloatVector xa = FloatVector.broadcast(S, x[xOff + p]);
            FloatVector xb = FloatVector.broadcast(S, x[xOff + p + 1]);
            a0 = FloatVector.fromMemorySegment(S, w, o, ORDER).fma(xa, a0);
            a1 = FloatVector.fromMemorySegment(S, w, o + VECTOR_BYTES, ORDER).fma(xa, a1);
            a2 = FloatVector.fromMemorySegment(S, w, o + 2 * VECTOR_BYTES, ORDER).fma(xa, a2);
            a3 = FloatVector.fromMemorySegment(S, w, o + 3 * VECTOR_BYTES, ORDER).fma(xa, a3);
            b0 = FloatVector.fromMemorySegment(S, w, o + 4 * VECTOR_BYTES, ORDER).fma(xb, b0);
            b1 = FloatVector.fromMemorySegment(S, w, o + 5 * VECTOR_BYTES, ORDER).fma(xb, b1);
            b2 = FloatVector.fromMemorySegment(S, w, o + 6 * VECTOR_BYTES, ORDER).fma(xb, b2);
            b3 = FloatVector.fromMemorySegment(S, w, o + 7 * VECTOR_BYTES, ORDER).fma(xb, b3);
        }
        if (p < k) {
            FloatVector xa = FloatVector.broadcast(S, x[xOff + p]);
            a0 = FloatVector.fromMemorySegment(S, w, o, ORDER).fma(xa, a0);
            a1 = FloatVector.fromMemorySegment(S, w, o + VECTOR_BYTES, ORDER).fma(xa, a1);
            a2 = FloatVector.fromMemorySegment(S, w, o + 2 * VECTOR_BYTES, ORDER).fma(xa, a2);
            a3 = FloatVector.fromMemorySegment(S, w, o + 3 * VECTOR_BYTES, ORDER).fma(xa, a3);
        }
        a0.add(b0).intoArray(y, yAt);
        a1.add(b1).intoArray(y, yAt + L);
        a2.add(b2).intoArray(y, yAt + 2 * L);
        a3.add(b3).intoArray(y, yAt + 3 * L);
    }

    /**
     * One column vector at byte {@code at}, summed as {@link #block} sums (even and odd k apart, then added), so that
     * every column's sum is rounded alike: columns whose products are equal get equal results wherever they lie
     * (a saturated network's equal logits stay tied, as in other runtimes).
     */
    private void single(float[] x, int xOff, float[] y, int yAt, long at) {
        MemorySegment w = packed;
        FloatVector a0 = FloatVector.zero(S);
        FloatVector b0 = a0;
        long o = at;
        int p = 0;
        for (; p + 1 < k; p += 2, o += 2 * VECTOR_BYTES) {
            a0 = FloatVector.fromMemorySegment(S, w, o, ORDER).fma(FloatVector.broadcast(S, x[xOff + p]), a0);
            b0 = FloatVector.fromMemorySegment(S, w, o + VECTOR_BYTES, ORDER)
                    .fma(FloatVector.broadcast(S, x[xOff + p + 1]), b0);
        }
        if (p < k) {
            a0 = FloatVector.fromMemorySegment(S, w, o, ORDER).fma(FloatVector.broadcast(S, x[xOff + p]), a0);
        }
        a0.add(b0).intoArray(y, yAt);
    }
}
