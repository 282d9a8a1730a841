package dev.infero.cpu.step;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.RepeatedTest;

/**
 * {@link StridedCopy} against its definition, {@code out[dstOffset + Σ i_a·dst[a]] = in[srcOffset + Σ i_a·src[a]]},
 * on random walks whose inner rows are short (element-by-element path, rows of 1–4 by straight-line code) and long
 * ({@code System.arraycopy}), contiguous or strided in the input, copied whole and as random element ranges.
 */
class StridedCopyTest {
    private static final Random R = new Random(5);

    @RepeatedTest(300)
    void copiesEqualTheDefinitionForAnyRangeOfTheWalk() {
        int rank = 1 + R.nextInt(4);
        int[] dims = new int[rank];
        for (int a = 0; a < rank; a++) {
            dims[a] = 1 + R.nextInt(a == rank - 1 && R.nextBoolean() ? 40 : 5);
        }
        // Source: a transposition-like or sliced layout of a larger tensor; destination: rows of a wider output.
        int[] src = new int[rank];
        int innerStep = R.nextInt(3) == 0 ? 1 + R.nextInt(3) : 1;
        int span = 1;
        int[] order = shuffledAxes(rank, R.nextInt(3) == 0);
        for (int k = rank - 1; k >= 0; k--) {
            int a = order[k];
            int stride = a == rank - 1 ? innerStep * span : span;
            src[a] = stride;
            span = (stride * dims[a]) + R.nextInt(3);
        }
        int[] dst = new int[rank];
        int widen = R.nextInt(4);
        int d = 1;
        for (int a = rank - 1; a >= 0; a--) {
            dst[a] = d;
            d *= dims[a] + (a == rank - 1 ? widen : 0);
        }
        int srcOffset = R.nextInt(4);
        int dstOffset = R.nextInt(4);
        float[] in = new float[srcOffset + span * 2 + 64];
        for (int i = 0; i < in.length; i++) {
            in[i] = i + 0.5f;
        }
        int outLength = dstOffset + d + 8;
        int size = Arrays.stream(dims).reduce(1, (x, y) -> x * y);
        float[] expected = new float[outLength];
        int[] index = new int[rank];
        for (int e = 0; e < size; e++) {
            int rest = e;
            int s = srcOffset;
            int t = dstOffset;
            for (int a = rank - 1; a >= 0; a--) {
                index[a] = rest % dims[a];
                rest /= dims[a];
                s += index[a] * src[a];
                t += index[a] * dst[a];
            }
            expected[t] = in[s];
        }
        StridedCopy copy = StridedCopy.of(dims, src, srcOffset, dst, dstOffset);
        float[] whole = new float[outLength];
        copy.copy(in, whole, 0, size, new int[copy.rank()]);
        assertArrayEquals(expected, whole, "whole walk");
        // Random cuts, each range copied on its own as a thread would.
        float[] cut = new float[outLength];
        int from = 0;
        while (from < size) {
            int to = Math.min(size, from + 1 + R.nextInt(Math.max(1, size / 3 + 1)));
            copy.copy(in, cut, from, to, new int[copy.rank()]);
            from = to;
        }
        assertArrayEquals(expected, cut, "cut walk");
    }

    private static int[] shuffledAxes(int rank, boolean shuffle) {
        int[] order = new int[rank];
        for (int i = 0; i < rank; i++) {
            order[i] = i;
        }
        if (shuffle) {
            for (int i = rank - 1; i > 0; i--) {
                int j = R.nextInt(i + 1);
                int x = order[i];
                order[i] = order[j];
                order[j] = x;
            }
        }
        return order;
    }
}
