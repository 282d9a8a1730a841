package dev.infero.core.ops.movement;

import static dev.infero.core.ops.OpHarness.eval;
import static dev.infero.core.ops.OpHarness.iota;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.infero.core.tensor.Tensor;
import org.junit.jupiter.api.Test;

class DepthToSpaceTest {
    @Test
    void blocksFirstTakesBlockOffsetsFromTheOuterChannelIndex() {
        // 4 channels of 1x1 with block 2: channel c = (by * 2 + bx) goes to position (by, bx).
        Tensor out = eval(new DepthToSpace(DepthToSpace.Mode.BLOCKS_FIRST, 2), iota(1, 4, 1, 1));
        assertArrayEquals(new int[] {1, 1, 2, 2}, out.shape());
        assertArrayEquals(new float[] {0, 1, 2, 3}, out.floats());
    }

    @Test
    void blocksFirstAndDepthFirstDifferWhenThereAreSeveralOutputChannels() {
        Tensor in = iota(1, 8, 1, 1);
        // blocks_first: channel = block * 2 + c'; depth_first: channel = c' * 4 + block.
        assertArrayEquals(new float[] {0, 2, 4, 6, 1, 3, 5, 7},
                eval(new DepthToSpace(DepthToSpace.Mode.BLOCKS_FIRST, 2), in).floats());
        assertArrayEquals(new float[] {0, 1, 2, 3, 4, 5, 6, 7},
                eval(new DepthToSpace(DepthToSpace.Mode.DEPTH_FIRST, 2), in).floats());
    }

    @Test
    void spaceToDepthInvertsDepthToSpaceInBothModes() {
        Tensor in = iota(2, 8, 3, 2);
        for (DepthToSpace.Mode mode : DepthToSpace.Mode.values()) {
            Tensor space = eval(new DepthToSpace(mode, 2), in);
            assertArrayEquals(new int[] {2, 2, 6, 4}, space.shape());
            Tensor back = eval(new SpaceToDepth(mode, 2), space);
            assertArrayEquals(in.floats(), back.floats(), mode.toString());
        }
    }

    @Test
    void describesItsAttributesInIrSpelling() {
        assertEquals("DepthToSpace(block_size=2, mode=depth_first)",
                new DepthToSpace(DepthToSpace.Mode.DEPTH_FIRST, 2).toString());
    }
}
