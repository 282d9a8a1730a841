package dev.infero.cpu.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.infero.testing.RandomData;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@link BlockedReorder}: the nChw16c index rule, zero padded lanes, round trips, parts by rows, extent checks. */
class BlockedReorderTest {
    @Test
    void blockedImagesFollowTheIndexRuleAndRoundTrip() {
        Random r = new Random(5);
        for (int trial = 0; trial < 200; trial++) {
            int c = 1 + r.nextInt(50);
            int h = 1 + r.nextInt(20);
            int w = 1 + r.nextInt(r.nextBoolean() ? 9 : 150);
            int srcOff = r.nextInt(7);
            int dstOff = r.nextInt(7);
            float[] src = RandomData.uniform(r, srcOff + c * h * w + r.nextInt(3));
            int cb = BlockedReorder.blocks(c);
            float[] blocked = RandomData.uniform(r, dstOff + cb * h * w * 16 + r.nextInt(3));
            float[] before = blocked.clone();
            if (r.nextBoolean()) {
                BlockedReorder.toBlocked(src, srcOff, blocked, dstOff, c, h, w);
            } else {
                // In parts of rows, in a shuffled order.
                int parts = 1 + r.nextInt(Math.min(h, 4));
                for (int p : KernelPropertiesShuffle.order(r, parts)) {
                    BlockedReorder.toBlocked(src, srcOff, blocked, dstOff, c, h, w, p * h / parts, (p + 1) * h / parts);
                }
            }
            for (int i = 0; i < blocked.length; i++) {
                int j = i - dstOff;
                if (j < 0 || j >= cb * h * w * 16) {
                    assertEquals(before[i], blocked[i], "outside the image at " + i);
                    continue;
                }
                int lane = j % 16;
                int pixel = j / 16 % (h * w);
                int ch = j / 16 / (h * w) * 16 + lane;
                float expected = ch < c ? src[srcOff + ch * h * w + pixel] : 0f;
                assertEquals(expected, blocked[i], "trial " + trial + " c " + c + " at " + j);
            }
            float[] back = RandomData.uniform(r, src.length);
            float[] backBefore = back.clone();
            int parts = 1 + r.nextInt(Math.min(h, 3));
            for (int p : KernelPropertiesShuffle.order(r, parts)) {
                BlockedReorder.fromBlocked(blocked, dstOff, back, srcOff, c, h, w, p * h / parts, (p + 1) * h / parts);
            }
            float[] expected = backBefore.clone();
            System.arraycopy(src, srcOff, expected, srcOff, c * h * w);
            assertArrayEquals(expected, back, "round trip, trial " + trial);
        }
    }

    @Test
    void refusesImagesOutsideTheirArrays() {
        float[] src = new float[3 * 4 * 5];
        float[] dst = new float[16 * 4 * 5];
        assertThrows(IndexOutOfBoundsException.class, () -> BlockedReorder.toBlocked(src, 1, dst, 0, 3, 4, 5));
        assertThrows(IndexOutOfBoundsException.class, () -> BlockedReorder.toBlocked(src, 0, dst, 1, 3, 4, 5));
        assertThrows(IndexOutOfBoundsException.class, () -> BlockedReorder.fromBlocked(dst, 0, src, 0, 17, 4, 5));
        assertThrows(IllegalArgumentException.class, () -> BlockedReorder.toBlocked(src, 0, dst, 0, 3, 4, 5, 2, 5));
    }
}
