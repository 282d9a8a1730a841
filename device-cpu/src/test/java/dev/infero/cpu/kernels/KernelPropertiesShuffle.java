package dev.infero.cpu.kernels;

import java.util.Random;

/** Items in a random order: the blocked kernels' parts must not depend on the order they run in. */
final class KernelPropertiesShuffle {
    private KernelPropertiesShuffle() {
    }

    /** 0 … n − 1 shuffled. */
    static int[] order(Random r, int n) {
        int[] o = new int[n];
        for (int i = 0; i < n; i++) {
            o[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int t = o[i];
            o[i] = o[j];
            o[j] = t;
        }
        return o;
    }
}
