package dev.infero.core.ops.normalization;

import static dev.infero.core.ops.OpHarness.assertRoundTrips;
import static dev.infero.core.ops.OpHarness.eval;
import static dev.infero.core.ops.OpHarness.fromIr;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infero.core.InferoException;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import org.junit.jupiter.api.Test;

class NormalizationTest {
    private static float[] softmax(float... x) {
        double sum = 0;
        for (float v : x) {
            sum += Math.exp(v);
        }
        float[] out = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = (float) (Math.exp(x[i]) / sum);
        }
        return out;
    }

    @Test
    void softmaxAlongTheLastAxisIsStableForLargeValues() {
        Tensor y = eval(new Softmax(-1), Tensor.of(new float[] {1000, 1001, 1002, 0, 1, 2}, 2, 3));
        float[] expected = softmax(0, 1, 2);
        assertArrayEquals(new float[] {expected[0], expected[1], expected[2], expected[0], expected[1], expected[2]},
                y.toFloatArray(), 1e-6f);
    }

    @Test
    void softmaxAlongAnOuterAxisNormalizesColumns() {
        Tensor y = eval(new Softmax(0), Tensor.of(new float[] {0, 5, 1, 5}, 2, 2));
        float[] col0 = softmax(0, 1);
        assertArrayEquals(new float[] {col0[0], 0.5f, col0[1], 0.5f}, y.toFloatArray(), 1e-6f);
    }

    @Test
    void vectorizedAndScalarLinesAgree() {
        float[] x = new float[2 * 37];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) Math.sin(i);
        }
        Tensor inner = eval(new LogSoftmax(1), Tensor.of(x, 2, 37));
        Tensor f64 = eval(new LogSoftmax(1), Tensor.of(x, 2, 37).convertTo(ElementType.F64));
        assertArrayEquals(f64.toFloatArray(), inner.toFloatArray(), 1e-5f);
    }

    @Test
    void logSoftmaxIsXMinusLogSumExp() {
        Tensor y = eval(new LogSoftmax(0), Tensor.of(new float[] {1, 2, 3}, 3));
        double lse = Math.log(Math.exp(1) + Math.exp(2) + Math.exp(3));
        assertArrayEquals(new float[] {(float) (1 - lse), (float) (2 - lse), (float) (3 - lse)}, y.toFloatArray(),
                1e-6f);
    }

    @Test
    void softmaxRejectsIntegersAndBadAxes() {
        assertThrows(InferoException.class, () -> eval(new Softmax(0), Tensor.of(new int[] {1, 2}, 2)));
        InferoException e = assertThrows(InferoException.class, () -> eval(new Softmax(2), Tensor.of(new float[2], 2)));
        assertTrue(e.getMessage().contains("axis 2"), e.getMessage());
    }

    @Test
    void mvnEpsilonInsideOrOutsideTheRoot() {
        Tensor x = Tensor.of(new float[] {1, 3, 5, 5}, 2, 2);
        // Row 0: mean 2, variance 1; row 1: constant, variance 0.
        Tensor inside = eval(new MVN(true, 0.25, MVN.EpsMode.INSIDE_SQRT), x, Tensor.vector(1));
        float r = (float) (1 / Math.sqrt(1.25));
        assertArrayEquals(new float[] {-r, r, 0, 0}, inside.toFloatArray(), 1e-6f);
        Tensor outside = eval(new MVN(true, 0.25, MVN.EpsMode.OUTSIDE_SQRT), x, Tensor.vector(-1));
        assertArrayEquals(new float[] {-0.8f, 0.8f, 0, 0}, outside.toFloatArray(), 1e-6f);
        Tensor centered = eval(new MVN(false, 0, MVN.EpsMode.INSIDE_SQRT), x, Tensor.vector(0, 1));
        assertArrayEquals(new float[] {-2.5f, -0.5f, 1.5f, 1.5f}, centered.toFloatArray(), 1e-6f);
    }

    @Test
    void lrnSumsSquaresOverAClippedChannelWindow() {
        // 3 channels, size 2: the window of c is [c, c + 1] (ONNX: floor((size-1)/2) before, ceil after).
        Tensor x = Tensor.of(new float[] {1, 2, 3}, 1, 3);
        Tensor y = eval(new LRN(2, 1, 1, 2), x, Tensor.vector(1));
        float[] sums = {1 + 4, 4 + 9, 9};
        float[] expected = new float[3];
        for (int c = 0; c < 3; c++) {
            expected[c] = (c + 1) / (1 + 2f / 2 * sums[c]);
        }
        assertArrayEquals(expected, y.toFloatArray(), 1e-6f);
    }

    @Test
    void normalizeL2DividesByTheNormWithEpsilonAddedOrAsAFloor() {
        Tensor x = Tensor.of(new float[] {3, 4, 0, 0}, 2, 2);
        assertArrayEquals(new float[] {0.6f, 0.8f, 0, 0}, eval(new NormalizeL2(1e-12, false), x, Tensor.vector(1))
                .toFloatArray(), 1e-6f);
        float n = (float) Math.sqrt(25 + 11);
        assertArrayEquals(new float[] {3 / n, 4 / n, 0, 0}, eval(new NormalizeL2(11, true), x, Tensor.vector(1))
                .toFloatArray(), 1e-6f);
    }

    @Test
    void groupNormalizationUsesGroupStatisticsAndChannelAffine() {
        // N=1, C=4, 1 spatial; 2 groups: {1, 3} and {10, 10}.
        Tensor x = Tensor.of(new float[] {1, 3, 10, 10}, 1, 4, 1);
        Tensor scale = Tensor.of(new float[] {1, 2, 3, 4}, 4);
        Tensor bias = Tensor.of(new float[] {0, 0, 0, 1}, 4);
        Tensor y = eval(new GroupNormalization(2, 1e-12), x, scale, bias);
        assertArrayEquals(new float[] {-1, 2, 0, 1}, y.toFloatArray(), 1e-6f);
    }

    @Test
    void groupNormalizationChecksChannelsAgainstGroups() {
        InferoException e = assertThrows(InferoException.class, () -> eval(new GroupNormalization(3, 0),
                Tensor.of(new float[4], 1, 4), Tensor.of(new float[4], 4), Tensor.of(new float[4], 4)));
        assertTrue(e.getMessage().contains("4 channels cannot be split into 3 groups"), e.getMessage());
    }

    @Test
    void describeWritesOpenVinoAttributes() {
        assertEquals("MVN(eps=0.5, eps_mode=outside_sqrt, normalize_variance=true)",
                new MVN(true, 0.5, MVN.EpsMode.OUTSIDE_SQRT).toString());
        assertEquals("SoftMax(axis=-1)", new Softmax(-1).toString());
    }

    @Test
    void declaredAttributesAreWrittenInIrOrderAndReadBackWithTheirDefaults() {
        assertEquals("SoftMax(axis=-1)", new Softmax(-1).toString());
        assertEquals("opset8", new Softmax(-1).version());
        assertEquals("SoftMax(axis=1)", fromIr("SoftMax", 1, "axis=1").toString());
        assertEquals("LogSoftmax(axis=1)", new LogSoftmax(1).toString());
        assertEquals("MVN(eps=1.0E-5, eps_mode=outside_sqrt, normalize_variance=false)",
                new MVN(false, 1e-5, MVN.EpsMode.OUTSIDE_SQRT).toString());
        assertEquals("MVN(eps=0.001, eps_mode=inside_sqrt, normalize_variance=true)",
                fromIr("MVN", 6, "eps=0.001").toString());
        assertEquals("LRN(alpha=1.0E-4, beta=0.75, bias=2, size=5)", new LRN(1e-4, 0.75, 2, 5).toString());
        assertEquals("NormalizeL2(eps=1.0E-10, eps_mode=add)", new NormalizeL2(1e-10, true).toString());
        assertEquals("NormalizeL2(eps=1.0E-10, eps_mode=max)",
                fromIr("NormalizeL2", 1, "eps=1e-10", "eps_mode=max").toString());
        assertEquals("GroupNormalization(epsilon=1.0E-5, num_groups=4)", new GroupNormalization(4, 1e-5).toString());
        for (var op : java.util.List.of(new Softmax(2), new LogSoftmax(-2),
                new MVN(true, 1e-9, MVN.EpsMode.INSIDE_SQRT),
                new LRN(2e-4, 0.5, 1.5, 3), new NormalizeL2(1e-6, false), new GroupNormalization(2, 1e-3))) {
            assertRoundTrips(op);
        }
        InferoException missing = assertThrows(InferoException.class,
                () -> fromIr("LRN", 1, "alpha=1", "beta=1", "bias=1"));
        assertTrue(missing.getMessage().contains("'size'"), missing.getMessage());
        InferoException bad = assertThrows(InferoException.class,
                () -> fromIr("MVN", 6, "eps=1", "eps_mode=around_sqrt"));
        assertTrue(bad.getMessage().contains("eps_mode=\"around_sqrt\""), bad.getMessage());
    }
}
