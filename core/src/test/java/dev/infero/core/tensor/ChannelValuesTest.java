package dev.infero.core.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class ChannelValuesTest {
    @Test
    void oneValueOrOneValuePerChannelAlongTheAxisBroadcasts() {
        assertArrayEquals(new float[] {2, 2, 2}, ChannelValues.of(Tensor.scalar(2f), 3, 4, 1));
        assertArrayEquals(new float[] {2, 2, 2}, ChannelValues.of(Tensor.of(new float[] {2}, 1, 1, 1, 1), 3, 4, 1));
        assertArrayEquals(new float[] {1, 2, 3}, ChannelValues.of(Tensor.of(new float[] {1, 2, 3}, 1, 3, 1, 1), 3, 4, 1));
        assertArrayEquals(new float[] {1, 2, 3}, ChannelValues.of(Tensor.of(new float[] {1, 2, 3}, 3, 1, 1), 3, 4, 1));
        assertArrayEquals(new float[] {1, 2, 3}, ChannelValues.of(Tensor.of(new float[] {1, 2, 3}, 3), 3, 2, 1));
    }

    @Test
    void valuesAlongAnotherAxisOrOfAnotherTypeOrRankAreRefused() {
        assertNull(ChannelValues.of(Tensor.of(new float[] {1, 2, 3}, 3), 3, 4, 1), "[3] broadcasts along W");
        assertNull(ChannelValues.of(Tensor.of(new float[] {1, 2, 3}, 1, 1, 3, 1), 3, 4, 1));
        assertNull(ChannelValues.of(Tensor.of(new float[] {1, 2}, 1, 2, 1, 1), 3, 4, 1), "2 values for 3 channels");
        assertNull(ChannelValues.of(Tensor.of(new long[] {1, 2, 3}, 1, 3, 1, 1), 3, 4, 1), "not f32");
        assertNull(ChannelValues.of(Tensor.of(new float[] {1}, 1, 1, 1, 1, 1), 3, 4, 1), "more dimensions");
    }
}
