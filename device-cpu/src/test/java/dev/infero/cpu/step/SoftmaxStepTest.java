package dev.infero.cpu.step;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.infero.core.graph.Graph;
import dev.infero.core.graph.Value;
import dev.infero.core.ops.normalization.Softmax;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.core.types.PartialShape;
import java.util.Random;
import org.junit.jupiter.api.RepeatedTest;

/**
 * SoftMax over lines of two (detector scores) gives the same bits as the general path, which computes the same
 * arithmetic on the transposed layout (lines interleaved), including equal pairs, huge gaps, infinities and NaN; and
 * it stays within float rounding of the op's reference.
 */
class SoftmaxStepTest {
    private static final Random R = new Random(11);

    private static Tensor run(int[] shape, int axis, float[] data) {
        Graph g = new Graph("softmax");
        Value x = g.addParameter("x", ElementType.F32, PartialShape.of(shape)).output(0);
        Value y = g.value(new Softmax(axis), "y", x);
        SoftmaxStep step = SoftmaxStep.of(y.node());
        assertNotNull(step);
        Tensor out = Tensor.allocate(ElementType.F32, shape);
        step.run(new Tensor[] {Tensor.of(data, shape)}, new Tensor[] {out}, step.newScratch(1), null);
        return out;
    }

    @RepeatedTest(20)
    void linesOfTwoEqualTheGeneralPathBitForBit() {
        int lines = 1 + R.nextInt(300);
        float[] pairs = new float[2 * lines];
        for (int i = 0; i < pairs.length; i++) {
            pairs[i] = switch (R.nextInt(12)) {
                case 0 -> Float.POSITIVE_INFINITY;
                case 1 -> Float.NEGATIVE_INFINITY;
                case 2 -> Float.NaN;
                case 3 -> i % 2 == 1 ? pairs[i - 1] : 0f;
                case 4 -> (R.nextBoolean() ? 1 : -1) * 80f * R.nextFloat();
                default -> (float) R.nextGaussian() * 4;
            };
        }
        float[] transposed = new float[pairs.length];
        for (int l = 0; l < lines; l++) {
            transposed[l] = pairs[2 * l];
            transposed[lines + l] = pairs[2 * l + 1];
        }
        float[] fast = run(new int[] {1, lines, 2}, 2, pairs).floats();
        float[] general = run(new int[] {2, lines}, 0, transposed).floats();
        Tensor reference = Tensor.allocate(ElementType.F32, 1, lines, 2);
        new Softmax(2).evaluate(new Tensor[] {Tensor.of(pairs, 1, lines, 2)}, new Tensor[] {reference});
        for (int l = 0; l < lines; l++) {
            for (int k = 0; k < 2; k++) {
                float a = fast[2 * l + k];
                assertEquals(Float.floatToIntBits(general[k * lines + l]), Float.floatToIntBits(a),
                        "line " + l + " of " + pairs[2 * l] + ", " + pairs[2 * l + 1]);
                float want = reference.floats()[2 * l + k];
                if (Float.isNaN(want) || Float.isNaN(a)) {
                    assertEquals(Float.isNaN(want), Float.isNaN(a), "NaN at line " + l);
                } else {
                    assertEquals(want, a, 2e-7f, "line " + l);
                }
            }
        }
    }
}
