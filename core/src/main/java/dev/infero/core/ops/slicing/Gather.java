package dev.infero.core.ops.slicing;

import dev.infero.core.tensor.Tensor;

/** Copies elements by index: {@code out[i] = in[source[i]]}, one tight loop per storage class. */
final class Gather {
    private Gather() {
    }

    static void copy(Tensor in, int[] source, Tensor out) {
        int n = out.size();
        switch (in.type().storage()) {
            case FLOAT -> {
                float[] s = in.floats();
                float[] d = out.floats();
                for (int i = 0; i < n; i++) {
                    d[i] = s[source[i]];
                }
            }
            case DOUBLE -> {
                double[] s = in.doubles();
                double[] d = out.doubles();
                for (int i = 0; i < n; i++) {
                    d[i] = s[source[i]];
                }
            }
            case SHORT -> {
                short[] s = in.shorts();
                short[] d = out.shorts();
                for (int i = 0; i < n; i++) {
                    d[i] = s[source[i]];
                }
            }
            case BYTE -> {
                byte[] s = in.bytes();
                byte[] d = out.bytes();
                for (int i = 0; i < n; i++) {
                    d[i] = s[source[i]];
                }
            }
            case INT -> {
                int[] s = in.ints();
                int[] d = out.ints();
                for (int i = 0; i < n; i++) {
                    d[i] = s[source[i]];
                }
            }
            case LONG -> {
                long[] s = in.longs();
                long[] d = out.longs();
                for (int i = 0; i < n; i++) {
                    d[i] = s[source[i]];
                }
            }
        }
    }
}
