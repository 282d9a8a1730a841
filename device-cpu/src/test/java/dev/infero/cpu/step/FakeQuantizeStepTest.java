package dev.infero.cpu.step;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.infero.core.device.ExecutionRequest;
import dev.infero.core.graph.Graph;
import dev.infero.core.graph.Value;
import dev.infero.core.ops.quantization.FakeQuantize;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.core.types.PartialShape;
import dev.infero.cpu.CpuDevice;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The vectorized FakeQuantize gives bit-identical results to the reference op, per tensor and per channel. */
class FakeQuantizeStepTest {
    @ParameterizedTest(name = "levels {0}, per channel {1}, asymmetric {2}")
    @CsvSource({"256,false,false", "256,true,false", "255,false,true", "256,true,true", "16,true,false"})
    void matchesTheReferenceBitForBit(long levels, boolean perChannel, boolean asymmetric) {
        Random r = new Random(levels + (perChannel ? 1 : 0));
        int c = 5;
        int[] shape = {2, c, 7, 9};
        Tensor x = Tensor.allocate(ElementType.F32, shape);
        for (int i = 0; i < x.size(); i++) {
            x.floats()[i] = (r.nextFloat() * 3 - 1.5f) * (i % 11 == 0 ? 4 : 1);
        }
        int[] rangeShape = perChannel ? new int[] {1, c, 1, 1} : new int[] {1, 1, 1, 1};
        int n = perChannel ? c : 1;
        float[] lo = new float[n];
        float[] hi = new float[n];
        for (int i = 0; i < n; i++) {
            hi[i] = 0.5f + r.nextFloat();
            lo[i] = asymmetric ? -r.nextFloat() * 0.3f : -hi[i];
        }
        x.floats()[3] = hi[0]; // exactly on the upper bound
        x.floats()[4] = lo[0]; // exactly on the lower bound

        Graph g = new Graph("fq");
        Value in = g.addParameter("x", ElementType.F32, PartialShape.of(shape)).output(0);
        Value y = g.value(new FakeQuantize(levels), "fq", in, g.addConstant("il", Tensor.of(lo, rangeShape)).output(0),
                g.addConstant("ih", Tensor.of(hi, rangeShape)).output(0),
                g.addConstant("ol", Tensor.of(lo.clone(), rangeShape)).output(0),
                g.addConstant("oh", Tensor.of(hi.clone(), rangeShape)).output(0));
        g.addResult("y", y);

        Tensor expected = Tensor.allocate(ElementType.F32, shape);
        new FakeQuantize(levels).evaluate(new Tensor[] {x, Tensor.of(lo, rangeShape), Tensor.of(hi, rangeShape),
                Tensor.of(lo, rangeShape), Tensor.of(hi, rangeShape)}, new Tensor[] {expected});

        try (var compiled = new CpuDevice().compile(g, Map.of("INFERENCE_NUM_THREADS", "2"))) {
            ExecutionRequest request = compiled.newRequest();
            request.setProfiling(true);
            request.setInput(0, x);
            request.run();
            assertEquals("fake_quantize_vector" + jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.vectorBitSize()
                    + "_FP32", request.profilingInfo().get(0).execType());
            assertArrayEquals(expected.floats(), request.output(0).toFloatArray());
        }
    }
}
