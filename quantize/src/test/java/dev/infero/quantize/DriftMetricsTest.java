package dev.infero.quantize;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infero.core.tensor.Tensor;
import org.junit.jupiter.api.Test;

class DriftMetricsTest {
    @Test
    void metricsOfKnownTensors() {
        DriftMetrics m = new DriftMetrics();
        m.add(Tensor.of(new float[] {1, 2, 3, 4}, 4), Tensor.of(new float[] {1, 2, 3, 5}, 4));
        assertEquals(1, m.maxAbsError());
        assertEquals(0.25, m.meanAbsError());
        assertEquals(0.25, m.maxRelError(), 1e-12, "1 / |4|");
        assertEquals(10 * Math.log10(30.0 / 1.0), m.sqnrDb(), 1e-9, "signal 1+4+9+16, noise 1");
        assertEquals(34 / Math.sqrt(30 * 39), m.cosine(), 1e-12, "dot 1+4+9+20, norms 30 and 39");
        assertEquals(1.0, m.top1Agreement(), "argmax 3 in both");
    }

    @Test
    void accumulatesOverSamplesAndCountsTop1() {
        DriftMetrics m = new DriftMetrics();
        m.add(Tensor.of(new float[] {0, 1, 0}, 1, 3), Tensor.of(new float[] {0, 1, 0}, 1, 3));
        m.add(Tensor.of(new float[] {2, 1, 0}, 1, 3), Tensor.of(new float[] {1, 2, 0}, 1, 3));
        assertEquals(0.5, m.top1Agreement());
        assertEquals(2.0 / 6, m.meanAbsError(), 1e-12);
        assertEquals(10 * Math.log10(6.0 / 2.0), m.sqnrDb(), 1e-9);
    }

    @Test
    void identicalIsInfiniteSqnrAndRelativeErrorHasAFloor() {
        DriftMetrics same = new DriftMetrics();
        same.add(Tensor.of(new float[] {3, -1}, 2), Tensor.of(new float[] {3, -1}, 2));
        assertEquals(Double.POSITIVE_INFINITY, same.sqnrDb());
        assertEquals(1.0, same.cosine(), 1e-12);
        DriftMetrics nearZero = new DriftMetrics();
        nearZero.add(Tensor.of(new float[] {1000, 0}, 1, 1, 2), Tensor.of(new float[] {1000, 0.5f}, 1, 1, 2));
        assertEquals(0.5 / 1.0, nearZero.maxRelError(), 1e-9, "relative to 1e-3 of the peak, not to 0");
        assertTrue(Double.isNaN(nearZero.top1Agreement()), "[1,1,2] does not look like class scores");
    }
}
