package dev.infero.cpu.blocked;

import dev.infero.core.types.PartialShape;
import dev.infero.cpu.kernels.BlockedReorder;

/**
 * The channel-blocked layout's one home: channel {@code c} of pixel {@code (h, w)} of image {@code n} of a tensor with
 * {@code C} channels on an {@code H×W} plane is element {@code ((n·Cb + c/16)·H + h)·W·16 + w·16 + c%16} of the blocked
 * tensor, {@code Cb = ⌈C/16⌉}. Lanes of channels {@code c ≥ C} (padded lanes) hold finite values no reader depends on;
 * the reorders write them as zeros. The per-image arithmetic and the reorders themselves are the kernels'
 * ({@link BlockedReorder}); this class states the layout for the plan (5-D shapes, whole batches).
 */
public final class Blocked {
    /** Channels per block: the lanes of an AVX-512 float vector (two AVX2 vectors); the kernels' {@link BlockedReorder#BLOCK}. */
    public static final int BLOCK = BlockedReorder.BLOCK;

    private Blocked() {
    }

    /** Blocks of {@code channels}: {@code ⌈channels/16⌉}. */
    public static int blocks(int channels) {
        return BlockedReorder.blocks(channels);
    }

    /** The 5-D shape [n, ⌈c/16⌉, h, w, 16] that holds an [n, c, h, w] tensor blocked. */
    public static PartialShape shape(int n, int c, int h, int w) {
        return PartialShape.of(n, blocks(c), h, w, BLOCK);
    }

    /** Floats of one blocked image of {@code c} channels on an {@code h×w} plane. */
    public static int imageSize(int c, int h, int w) {
        return BlockedReorder.blockedSize(c, h, w);
    }

    /** Writes the {@code n} NCHW images of {@code src} into {@code dst} blocked, padded lanes zero. */
    public static void toBlocked(float[] src, float[] dst, int n, int c, int h, int w) {
        for (int i = 0; i < n; i++) {
            BlockedReorder.toBlocked(src, i * c * h * w, dst, i * imageSize(c, h, w), c, h, w);
        }
    }

    /** Writes the {@code n} blocked images of {@code src} into {@code dst} as NCHW, padded lanes dropped. */
    public static void fromBlocked(float[] src, float[] dst, int n, int c, int h, int w) {
        for (int i = 0; i < n; i++) {
            BlockedReorder.fromBlocked(src, i * imageSize(c, h, w), dst, i * c * h * w, c, h, w);
        }
    }
}
