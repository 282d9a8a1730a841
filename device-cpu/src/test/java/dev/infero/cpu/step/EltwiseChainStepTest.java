package dev.infero.cpu.step;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.cpu.kernels.PostOps;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The eltwise-chain step computes {@code act(((x [+ y])·a[c] + b[c]) - d[c])} then {@code e[c] - v}, each op rounded
 * in f32 as its own step rounds it, exactly, however the output is cut into parts (1 to 5, each run as one thread
 * would run it), with channels along axis 1 or last.
 */
class EltwiseChainStepTest {
    @ParameterizedTest(name = "{0} channels last {1} residual {2}")
    @CsvSource({"2x5x7x3,false,false", "2x5x7x3,true,true", "2x3x45x47,false,true", "2x45x47x3,true,false",
        "3x37,false,true", "1x7x300x300,false,false", "1x150x150x32,true,true"})
    void everySplitComputesTheChain(String dims, boolean channelsLast, boolean residual) {
        int[] shape = java.util.Arrays.stream(dims.split("x")).mapToInt(Integer::parseInt).toArray();
        Random r = new Random(dims.hashCode());
        int channels = channelsLast ? shape[shape.length - 1] : shape[1];
        EltwiseChainStep.Op[] ops = EltwiseChainStep.Op.values();
        float[][] k = new float[ops.length][channels];
        for (float[] values : k) {
            for (int c = 0; c < channels; c++) {
                values[c] = r.nextFloat() * 2 - 1;
            }
        }
        Tensor x = Tensor.allocate(ElementType.F32, shape);
        Tensor y = Tensor.allocate(ElementType.F32, shape);
        for (int i = 0; i < x.size(); i++) {
            x.floats()[i] = r.nextFloat() * 4 - 2;
            y.floats()[i] = r.nextFloat() * 4 - 2;
        }
        var step = new EltwiseChainStep(shape, channelsLast, residual, ops, k,
                new PostOps(null, false, PostOps.Activation.CLAMP, -0.5f, 1f), "affine+clamp");
        int planeSize = channelsLast ? 1 : dev.infero.core.types.Shapes.product(shape, 2, shape.length);
        float[] expected = new float[x.size()];
        for (int i = 0; i < expected.length; i++) {
            int c = channelsLast ? i % channels : i / planeSize % channels;
            float v = residual ? x.floats()[i] + y.floats()[i] : x.floats()[i];
            v = k[3][c] - ((v * k[0][c] + k[1][c]) - k[2][c]);
            expected[i] = Math.min(Math.max(v, -0.5f), 1f);
        }
        Tensor[] in = residual ? new Tensor[] {x, y} : new Tensor[] {x};
        for (int parts = 1; parts <= 5; parts++) {
            Tensor z = Tensor.allocate(ElementType.F32, shape);
            step.runInParts(in, new Tensor[] {z}, parts);
            assertArrayEquals(expected, z.floats(), parts + " parts");
        }
    }
}
