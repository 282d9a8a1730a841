package dev.infero.cpu.step;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.infero.core.graph.Graph;
import dev.infero.core.op.Op;
import dev.infero.core.graph.Value;
import dev.infero.core.ops.reduce.ReduceMax;
import dev.infero.core.ops.reduce.ReduceMean;
import dev.infero.core.ops.reduce.ReduceMin;
import dev.infero.core.ops.reduce.ReduceSum;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.core.types.PartialShape;
import dev.infero.cpu.parallel.WorkerPool;
import java.util.Random;
import org.junit.jupiter.api.RepeatedTest;

/**
 * Reductions over the middle axis of {@code [outer, reduced, inner]} agree with the ops' reference on every fold,
 * for rows of whole vectors (the channel-blocked layout's spatial mean, folded in registers), and for other rows,
 * including a single reduced row, infinities and NaN.
 */
class ReduceStepTest {
    private static final Random R = new Random(23);
    private static final int[] INNER = {1, 3, 16, 17, 32, 48, 64, 80};
    private static final int[] REDUCED = {1, 2, 3, 7, 169};

    @RepeatedTest(60)
    void agreesWithTheReference() {
        int outer = 1 + R.nextInt(5);
        int reduced = REDUCED[R.nextInt(REDUCED.length)];
        int inner = INNER[R.nextInt(INNER.length)];
        Op op = switch (R.nextInt(4)) {
            case 0 -> new ReduceMean(true);
            case 1 -> new ReduceSum(true);
            case 2 -> new ReduceMax(true);
            default -> new ReduceMin(true);
        };
        boolean specials = R.nextInt(4) == 0;
        int[] shape = {outer, reduced, inner};
        float[] x = new float[outer * reduced * inner];
        for (int i = 0; i < x.length; i++) {
            x[i] = !specials ? (float) R.nextGaussian() : switch (R.nextInt(10)) {
                case 0 -> Float.NaN;
                case 1 -> Float.POSITIVE_INFINITY;
                case 2 -> Float.NEGATIVE_INFINITY;
                default -> (float) R.nextGaussian();
            };
        }
        Graph g = new Graph("reduce");
        Value in = g.addParameter("x", ElementType.F32, PartialShape.of(shape)).output(0);
        Value axes = g.addConstant("axes", Tensor.vector(1)).output(0);
        Value y = g.value(op, "y", in, axes);
        ReduceStep step = ReduceStep.of(y.node());
        assertNotNull(step, "a reduction over one axis of a static f32 tensor");
        int[] outShape = {outer, 1, inner};
        Tensor got = Tensor.allocate(ElementType.F32, outShape);
        Tensor input = Tensor.of(x, shape);
        try (WorkerPool pool = new WorkerPool(1, "t")) {
            step.run(new Tensor[] {input, Tensor.vector(1)}, new Tensor[] {got}, step.newScratch(1), pool);
        }
        Tensor want = Tensor.allocate(ElementType.F32, outShape);
        op.evaluate(new Tensor[] {input, Tensor.vector(1)}, new Tensor[] {want});
        for (int i = 0; i < outer * inner; i++) {
            float a = got.floats()[i];
            float b = want.floats()[i];
            String where = op.type() + " " + outer + "×" + reduced + "×" + inner + " at " + i;
            if (Float.isNaN(a) || Float.isNaN(b)) {
                assertEquals(Float.isNaN(b), Float.isNaN(a), where);
            } else if (Float.isInfinite(a) || Float.isInfinite(b)) {
                assertEquals(b, a, where);
            } else {
                assertEquals(b, a, 1e-5f * Math.max(1f, Math.abs(b)) * (float) Math.sqrt(reduced), where);
            }
        }
    }
}
