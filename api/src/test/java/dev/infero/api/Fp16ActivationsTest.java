package dev.infero.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infero.core.device.ProfilingInfo;
import dev.infero.core.graph.Value;
import dev.infero.core.ops.activation.Relu;
import dev.infero.core.ops.eltwise.Add;
import dev.infero.core.ops.nn.AutoPad;
import dev.infero.core.ops.nn.Convolution;
import dev.infero.core.ops.nn.GroupConvolution;
import dev.infero.core.ops.nn.MatMul;
import dev.infero.core.ops.nn.WindowGeometry;
import dev.infero.core.ops.movement.Reshape;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.ir.IrReader;
import dev.infero.ir.IrWriter;
import dev.infero.testing.GraphBuilder;
import dev.infero.testing.ReferenceRunner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * An IR whose activations are f16 (an older Model Optimizer's FP16 IR v10: f16 input and precision ports, f16 weights
 * used directly) runs in f32 on the fast kernels, f16 only storing the weights, as OpenVINO's CPU plugin runs it: no
 * layer falls back to the reference kernels, and the results are the f32 evaluation of the f16 weights.
 */
class Fp16ActivationsTest {
    @TempDir
    Path dir;

    @ParameterizedTest(name = "IR v{0}")
    @ValueSource(ints = {10, 11})
    void fp16IrComputesInF32OnTheFastKernels(int version) throws Exception {
        Random r = new Random(version);
        GraphBuilder b = new GraphBuilder("fp16");
        Value x = b.input("x", ElementType.F16, 1, 8, 14, 14);
        WindowGeometry same = new WindowGeometry(new long[] {1, 1}, new long[] {1, 1}, new long[] {1, 1},
                new long[] {1, 1}, AutoPad.EXPLICIT, false);
        Value y = b.op("conv", new Convolution(same), x, b.constant(random(r, 16, 8, 3, 3)));
        y = b.op("relu", new Relu(), b.op("bias", new Add(), y, b.constant(random(r, 1, 16, 1, 1))));
        Value dw = b.op("dw", new GroupConvolution(same), y, b.constant(random(r, 16, 1, 1, 3, 3)));
        y = b.op("residual", new Add(), y, dw);
        y = b.op("flatten", new Reshape(false), y, b.constant(Tensor.vector(1, 16 * 14 * 14)));
        y = b.op("fc", new MatMul(false, true), y, b.constant(random(r, 10, 16 * 14 * 14)));
        b.output(y);
        Path xml = IrWriter.write(b.graph(), dir, "m").xml();
        // IR v10 as older Model Optimizers wrote FP16 models; read as f32 (see IrReader), it is also the reference
        Path v10 = dir.resolve("m10.xml");
        Files.writeString(v10, Files.readString(xml).replace("version=\"11\"", "version=\"10\""));
        Files.copy(dir.resolve("m.bin"), dir.resolve("m10.bin"));
        if (version == 10) {
            xml = v10;
        }
        Tensor input = Tensor.allocate(ElementType.F32, 1, 8, 14, 14);
        for (int i = 0; i < input.size(); i++) {
            input.floats()[i] = r.nextFloat() * 2 - 1;
        }
        input = input.convertTo(ElementType.F16).convertTo(ElementType.F32); // values an f16 input can hold
        try (Core core = new Core(); CompiledModel compiled = core.compileModel(core.readModel(xml), "CPU")) {
            InferRequest request = compiled.createInferRequest();
            request.setProfiling(true);
            request.setInput(0, version == 10 ? input : input.convertTo(ElementType.F16));
            request.infer();
            List<String> reference = request.getProfilingInfo().stream()
                    .filter(p -> p.status() == ProfilingInfo.Status.EXECUTED && p.execType().startsWith("reference")
                            // a copy (a reference step in f32 models too) and the conversions at the interface
                            && !p.nodeName().equals("flatten") && !p.nodeName().matches(".*/f(16|32)"))
                    .map(p -> p.nodeName() + " " + p.execType()).toList();
            assertEquals(List.of(), reference, "layers on the reference kernels");
            Tensor out = request.getOutput(0);
            assertEquals(version == 10 ? ElementType.F32 : ElementType.F16, out.type(), "the output keeps its type");
            float[] got = out.toFloatArray();
            // the same network evaluated in f32 with the f16 weights widened
            float[] want = ReferenceRunner.run(IrReader.read(v10), input).get(0).toFloatArray();
            for (int i = 0; i < want.length; i++) {
                // the v11 output is rounded to f16, as the model declares it
                double tolerance = version == 10 ? 1e-4 : 1e-3;
                assertTrue(Math.abs(got[i] - want[i]) <= tolerance * (1 + Math.abs(want[i])), "[" + i + "] " + got[i]
                        + " vs " + want[i]);
            }
        }
    }

    private static Tensor random(Random r, int... shape) {
        Tensor t = Tensor.allocate(ElementType.F32, shape);
        for (int i = 0; i < t.size(); i++) {
            t.floats()[i] = (r.nextFloat() * 2 - 1) * 0.3f;
        }
        return t.convertTo(ElementType.F16);
    }
}
