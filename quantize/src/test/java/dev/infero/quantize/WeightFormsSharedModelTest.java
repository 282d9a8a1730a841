package dev.infero.quantize;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infero.api.CompiledModel;
import dev.infero.api.Core;
import dev.infero.api.InferRequest;
import dev.infero.core.device.ProfilingInfo;
import dev.infero.core.graph.Graph;
import dev.infero.core.graph.Node;
import dev.infero.core.graph.Value;
import dev.infero.core.ops.eltwise.Convert;
import dev.infero.core.ops.eltwise.Multiply;
import dev.infero.core.ops.eltwise.Subtract;
import dev.infero.core.ops.quantization.FakeQuantize;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.ir.IrReader;
import dev.infero.ir.IrWriter;
import dev.infero.testing.SharedData;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Open Model Zoo SqueezeNet 1.1 (an FP16 IR) quantized by DefaultQuantization, its weights then rewritten into
 * the forms other tools write — POT's uncompressed weights (f32 Const → FakeQuantize levels 255, per output channel)
 * and asymmetric u8 codes (u8 Const → Convert → Subtract zero point 128 → Multiply scale) — runs the same layers on
 * the INT8 kernels as the IR Infero writes, with the same results (identical for the u8 codes, which are the same
 * float weights; within float rounding for FakeQuantize, whose weights differ by ulps).
 */
class WeightFormsSharedModelTest {
    @TempDir
    Path dir;

    @Test
    void squeezeNetWeightFormsAllRunInInt8() {
        Path fp16 = SharedData.require("models/ir/squeezenet1.1/squeezenet1.1.xml");
        Random r = new Random(11);
        List<Tensor> calibration = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            calibration.add(image(r));
        }
        Path int8 = Quantizer.quantize(fp16, calibration, QuantizationParameters.defaults(), dir.resolve("int8"),
                "int8", "{}", null).xml();
        Tensor input = image(r);
        Run canonical = run(int8, input);
        assertTrue(canonical.int8Layers() >= 20, "SqueezeNet's convolutions run in INT8: " + canonical.int8Layers());

        Path fq = rewritten(int8, "fq_weights", (g, mul) -> {
            float[] s = scale(mul).floats();
            int[] shape = scale(mul).shape();
            float[] lo = new float[s.length];
            float[] hi = new float[s.length];
            for (int c = 0; c < s.length; c++) {
                lo[c] = -127 * s[c];
                hi[c] = 127 * s[c];
            }
            Value l = g.addConstant(mul.name() + "/lo", Tensor.of(lo, shape)).output(0);
            Value h = g.addConstant(mul.name() + "/hi", Tensor.of(hi, shape)).output(0);
            Value w = g.addConstant(mul.name() + "/f32", mul.output(0).knownValue()).output(0);
            return g.add(new FakeQuantize(255), mul.name() + "/fq", w, l, h, l, h).output(0);
        });
        Run fromFq = run(fq, input);
        assertEquals(canonical.int8Layers(), fromFq.int8Layers());
        assertClose(canonical.output(), fromFq.output(), 1e-4);

        Path u8 = rewritten(int8, "u8_codes", (g, mul) -> {
            byte[] q = mul.input(0).node().input(0).knownValue().bytes();
            Tensor codes = Tensor.allocate(ElementType.U8, mul.output(0).shape().toArray());
            for (int i = 0; i < q.length; i++) {
                codes.setLong(i, q[i] + 128);
            }
            Value c = g.add(new Convert(ElementType.F32), mul.name() + "/u8_f32",
                    g.addConstant(mul.name() + "/u8", codes).output(0)).output(0);
            Tensor zp = Tensor.allocate(ElementType.U8);
            zp.setLong(0, 128);
            Value z = g.add(new Convert(ElementType.F32), mul.name() + "/zp_f32",
                    g.addConstant(mul.name() + "/zp", zp).output(0)).output(0);
            Value scale = g.addConstant(mul.name() + "/scale", scale(mul)).output(0);
            return g.add(new Multiply(), mul.name() + "/dq", g.add(new Subtract(), mul.name() + "/centred", c, z)
                    .output(0), scale).output(0);
        });
        Run fromU8 = run(u8, input);
        assertEquals(canonical.int8Layers(), fromU8.int8Layers());
        assertClose(canonical.output(), fromU8.output(), 0);
    }

    /** The INT8 IR with each {@code Multiply(Convert(i8), scale)} of its weights replaced by {@code form}. */
    private Path rewritten(Path int8, String name, BiFunction<Graph, Node, Value> form) {
        Graph g = IrReader.read(int8);
        int replaced = 0;
        for (Node n : List.copyOf(g.nodes())) {
            if (n.op() instanceof Multiply && n.input(0).node().op() instanceof Convert
                    && n.input(0).node().input(0).isKnown()
                    && n.input(0).node().input(0).knownValue().type() == ElementType.I8) {
                g.replaceAllUses(n.output(0), form.apply(g, n));
                replaced++;
            }
        }
        g.removeDeadNodes();
        assertTrue(replaced >= 20, name + ": " + replaced + " weights rewritten");
        return IrWriter.write(g, dir, name).xml();
    }

    private static Tensor scale(Node mul) {
        return mul.input(1).knownValue();
    }

    record Run(int int8Layers, float[] output) {
    }

    private static Run run(Path xml, Tensor input) {
        try (Core core = new Core(); CompiledModel compiled = core.compileModel(core.readModel(xml), "CPU")) {
            InferRequest request = compiled.createInferRequest();
            request.setProfiling(true);
            request.setInput(0, input);
            request.infer();
            int int8 = 0;
            for (ProfilingInfo p : request.getProfilingInfo()) {
                int8 += p.execType().contains("_I8") ? 1 : 0;
            }
            return new Run(int8, request.getOutput(0).toFloatArray());
        }
    }

    private static void assertClose(float[] want, float[] got, double relative) {
        assertEquals(want.length, got.length);
        for (int i = 0; i < want.length; i++) {
            assertTrue(Math.abs(got[i] - want[i]) <= relative * (1e-3 + Math.abs(want[i])), "[" + i + "] " + got[i]
                    + " vs " + want[i]);
        }
    }

    /** A smooth random BGR image in 0..255, as SqueezeNet reads it. */
    private static Tensor image(Random r) {
        int size = 227;
        float[] v = new float[3 * size * size];
        double[] f = {r.nextDouble() * 0.1, r.nextDouble() * 0.1, r.nextDouble() * 6};
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < size; y++) {
                for (int x = 0; x < size; x++) {
                    double s = Math.sin(f[0] * x + f[2] + c) * Math.cos(f[1] * y - c) * 0.5 + 0.5;
                    v[(c * size + y) * size + x] = (float) (s * 200 + r.nextDouble() * 55);
                }
            }
        }
        return Tensor.of(v, 1, 3, size, size);
    }
}
