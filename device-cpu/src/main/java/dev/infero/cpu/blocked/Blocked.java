package dev.infero.cpu.blocked;

import dev.infero.core.types.PartialShape;

/**
 * The channel-blocked layout's one home: channel {@code c} of pixel {@code (h, w)} of image {@code n} of a tensor with
 * {@code C} channels on an {@code H×W} plane is element {@code ((n·Cb + c/16)·H + h)·W·16 + w·16 + c%16} of the blocked
 * tensor, {@code Cb = ⌈C/16⌉}. Lanes of channels {@code c ≥ C} (padded lanes) hold finite values no reader depends on;
 * the reorders here write them as zeros.
 */
public final class Blocked {
    /** Channels per block: the lanes of an AVX-512 float vector (two AVX2 vectors). */
    public static final int BLOCK = 16;

    private Blocked() {
    }

    /** Blocks of {@code channels}: {@code ⌈channels/16⌉}. */
    public static int blocks(int channels) {
        return (channels + BLOCK - 1) / BLOCK;
    }

    /** The 5-D shape [n, ⌈c/16⌉, h, w, 16] that holds an [n, c, h, w] tensor blocked. */
    public static PartialShape shape(int n, int c, int h, int w) {
        return PartialShape.of(n, blocks(c), h, w, BLOCK);
    }

    /** Floats of one blocked image of {@code c} channels on an {@code h×w} plane. */
    public static int imageSize(int c, int h, int w) {
        return blocks(c) * h * w * BLOCK;
    }

    /** Writes the {@code n} NCHW images of {@code src} into {@code dst} blocked, padded lanes zero (reference). */
    public static void toBlocked(float[] src, float[] dst, int n, int c, int h, int w) {
        int plane = h * w;
        int blocks = blocks(c);
        for (int i = 0; i < n; i++) {
            for (int b = 0; b < blocks; b++) {
                int dstBase = (i * blocks + b) * plane * BLOCK;
                for (int lane = 0; lane < BLOCK; lane++) {
                    int ch = b * BLOCK + lane;
                    int srcBase = (i * c + ch) * plane;
                    for (int p = 0; p < plane; p++) {
                        dst[dstBase + p * BLOCK + lane] = ch < c ? src[srcBase + p] : 0f;
                    }
                }
            }
        }
    }

    /** Writes the {@code n} blocked images of {@code src} into {@code dst} as NCHW, padded lanes dropped (reference). */
    public static void fromBlocked(float[] src, float[] dst, int n, int c, int h, int w) {
        int plane = h * w;
        int blocks = blocks(c);
        for (int i = 0; i < n; i++) {
            for (int ch = 0; ch < c; ch++) {
                int srcBase = (i * blocks + ch / BLOCK) * plane * BLOCK + ch % BLOCK;
                int dstBase = (i * c + ch) * plane;
                for (int p = 0; p < plane; p++) {
                    dst[dstBase + p] = src[srcBase + p * BLOCK];
                }
            }
        }
    }
}
