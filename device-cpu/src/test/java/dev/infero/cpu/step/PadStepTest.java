package dev.infero.cpu.step;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.infero.core.graph.Graph;
import dev.infero.core.graph.Value;
import dev.infero.core.ops.movement.Pad;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.core.types.PartialShape;
import dev.infero.core.types.Shapes;
import dev.infero.cpu.parallel.WorkerPool;
import java.util.Random;
import org.junit.jupiter.api.RepeatedTest;

/**
 * The planned Pad (block copies and fills) gives exactly the op's reference output in every mode, for f32 and i32,
 * with pads on random axes.
 */
class PadStepTest {
    private static final Random R = new Random(31);

    @RepeatedTest(40)
    void equalsTheReference() {
        int rank = 1 + R.nextInt(4);
        int[] in = new int[rank];
        long[] begin = new long[rank];
        long[] end = new long[rank];
        Pad.Mode mode = Pad.Mode.values()[R.nextInt(Pad.Mode.values().length)];
        for (int a = 0; a < rank; a++) {
            in[a] = 2 + R.nextInt(7);
            // Reflect needs pads below the size; the others take any.
            int most = mode == Pad.Mode.REFLECT ? in[a] - 1 : 3;
            begin[a] = R.nextInt(most + 1);
            end[a] = R.nextInt(most + 1);
        }
        boolean floats = R.nextInt(3) > 0;
        ElementType type = floats ? ElementType.F32 : ElementType.I32;
        Tensor x = Tensor.allocate(type, in);
        for (int i = 0; i < x.size(); i++) {
            if (floats) {
                x.setDouble(i, R.nextGaussian());
            } else {
                x.setLong(i, R.nextInt(1000) - 500);
            }
        }
        Tensor value = floats ? Tensor.scalar(2.5f) : Tensor.allocate(ElementType.I32);
        Graph g = new Graph("pad");
        Value data = g.addParameter("x", type, PartialShape.of(in)).output(0);
        Value y = g.value(new Pad(mode), "y", data, g.addConstant("b", Tensor.vector(begin)).output(0),
                g.addConstant("e", Tensor.vector(end)).output(0), g.addConstant("v", value).output(0));
        PadStep step = PadStep.of(y.node());
        assertNotNull(step, "a static Pad");
        int[] out = y.shape().toArray();
        Tensor got = Tensor.allocate(type, out);
        Tensor want = Tensor.allocate(type, out);
        Tensor[] args = {x, Tensor.vector(begin), Tensor.vector(end), value};
        try (WorkerPool pool = new WorkerPool(1, "t")) {
            step.run(args, new Tensor[] {got}, null, pool);
        }
        new Pad(mode).evaluate(args, new Tensor[] {want});
        String what = mode + " " + java.util.Arrays.toString(in) + " " + java.util.Arrays.toString(begin) + " "
                + java.util.Arrays.toString(end) + " " + type;
        if (floats) {
            assertArrayEquals(want.floats(), got.floats(), what);
        } else {
            for (int i = 0; i < Shapes.size(out); i++) {
                org.junit.jupiter.api.Assertions.assertEquals(want.getLong(i), got.getLong(i), what + " at " + i);
            }
        }
    }
}
