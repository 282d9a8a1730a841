package dev.infero.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infero.core.graph.Graph;
import dev.infero.core.graph.Node;
import dev.infero.core.ops.nn.AutoPad;
import dev.infero.core.ops.nn.MaxPool;
import dev.infero.core.ops.nn.WindowGeometry;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.core.types.PartialShape;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * OpenVINO IRs write MaxPool-8 (values and indices) for every max pooling. With the indices unread the CPU device
 * runs the fast pooling kernel, and its values equal the reference evaluation, ceil rounding and padding included;
 * with the indices read, the node keeps its reference evaluation and gives both.
 */
class MaxPoolWithIndicesTest {
    private static Tensor[] run(boolean readIndices, long pad, boolean ceil, int size) {
        Graph g = new Graph("pool");
        var x = g.addParameter("x", ElementType.F32, PartialShape.of(1, 5, size, size)).output(0);
        MaxPool op = new MaxPool(new long[] {3, 3}, new WindowGeometry(new long[] {2, 2}, new long[] {1, 1},
                new long[] {pad, pad}, new long[] {pad, pad}, AutoPad.EXPLICIT, ceil), true);
        Node pool = g.add(op, "pool", x);
        g.addResult("values", pool.output(0)).output(0).names().add("values");
        if (readIndices) {
            g.addResult("indices", pool.output(1)).output(0).names().add("indices");
        }
        float[] data = new float[5 * size * size];
        Random r = new Random(size * 31L + pad);
        for (int i = 0; i < data.length; i++) {
            data[i] = r.nextFloat() * 2 - 1;
        }
        Tensor input = Tensor.of(data, 1, 5, size, size);
        int[] shape = pool.output(0).shape().toArray();
        Tensor[] reference = {Tensor.allocate(ElementType.F32, shape), Tensor.allocate(ElementType.I64, shape)};
        op.evaluate(new Tensor[] {input}, reference);
        try (Core core = new Core(); CompiledModel compiled = core.compileModel(core.model(g), "CPU")) {
            InferRequest request = compiled.createInferRequest();
            request.setInput(0, input);
            request.setProfiling(true);
            request.infer();
            String kernel = request.getProfilingInfo().stream().filter(p -> p.nodeName().equals("pool"))
                    .map(dev.infero.core.device.ProfilingInfo::execType).findFirst().orElse("?");
            assertTrue(readIndices != kernel.startsWith("max_pool_"), "pool ran on " + kernel);
            Tensor values = request.getOutput(0).copy();
            assertArrayEquals(reference[0].floats(), values.floats(), "values, pad " + pad + ", ceil " + ceil);
            if (readIndices) {
                assertArrayEquals(reference[1].longs(), request.getOutput(1).longs(), "indices");
            }
            return new Tensor[] {values};
        }
    }

    @Test
    void valuesMatchTheReferenceWithAndWithoutReadingTheIndices() {
        for (int size : new int[] {13, 14, 55}) {
            for (long pad : new long[] {0, 1}) {
                for (boolean ceil : new boolean[] {false, true}) {
                    Tensor fast = run(false, pad, ceil, size)[0];
                    Tensor both = run(true, pad, ceil, size)[0];
                    assertTrue(fast.contentEquals(both));
                }
            }
        }
    }
}
