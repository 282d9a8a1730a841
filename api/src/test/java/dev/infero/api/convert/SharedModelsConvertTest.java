package dev.infero.api.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infero.api.CompiledModel;
import dev.infero.api.Core;
import dev.infero.api.InferRequest;
import dev.infero.api.Model;
import dev.infero.core.device.PortInfo;
import dev.infero.core.tensor.Tensor;
import dev.infero.ir.IrReader;
import dev.infero.ir.IrWriter;
import dev.infero.testing.SharedData;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The shared real models survive conversion: written to IR and read back unoptimized they compute bit-identical
 * outputs; optimized FP32 IR stays within float rounding of the ONNX model, FP16 IR within half precision, and the
 * FP16 weights file is about half the FP32 one.
 */
class SharedModelsConvertTest {
    @TempDir
    Path dir;

    private static List<Tensor> inputs(List<PortInfo> ports) {
        Random random = new Random(7);
        List<Tensor> inputs = new ArrayList<>();
        for (PortInfo port : ports) {
            int[] shape = port.shape().toArray();
            float[] data = new float[Tensor.allocate(port.type(), shape).size()];
            for (int i = 0; i < data.length; i++) {
                data[i] = random.nextFloat() * 2 - 1;
            }
            inputs.add(Tensor.of(data, shape));
        }
        return inputs;
    }

    private static List<Tensor> run(Core core, Model model, List<Tensor> inputs) {
        CompiledModel compiled = core.compileModel(model, "CPU");
        InferRequest r = compiled.createInferRequest();
        for (int i = 0; i < inputs.size(); i++) {
            r.setInput(i, inputs.get(i));
        }
        r.infer();
        List<Tensor> out = new ArrayList<>();
        for (int i = 0; i < compiled.outputs().size(); i++) {
            out.add(r.getOutput(i).copy());
        }
        return out;
    }

    /** Largest |a-b| relative to the output's largest magnitude, over all outputs. */
    private static double drift(List<Tensor> a, List<Tensor> b) {
        assertEquals(a.size(), b.size(), "output count");
        double worst = 0;
        for (int o = 0; o < a.size(); o++) {
            assertEquals(a.get(o).describe(), b.get(o).describe(), "output " + o);
            double range = 0;
            double diff = 0;
            for (int i = 0; i < a.get(o).size(); i++) {
                double x = a.get(o).getDouble(i);
                range = Math.max(range, Math.abs(x));
                diff = Math.max(diff, Math.abs(x - b.get(o).getDouble(i)));
            }
            worst = Math.max(worst, diff / Math.max(range, 1e-12));
        }
        return worst;
    }

    @ParameterizedTest
    @ValueSource(strings = {"face/blazeface.onnx", "face/facemesh.onnx", "light/light_resnet50.onnx",
            "light/light_squeezenet.onnx", "light/light_shufflenet.onnx", "light/light_inception_v1.onnx"})
    void convertedModelsComputeWhatTheOnnxModelComputes(String name) {
        Path onnx = SharedData.require("models/" + name);
        try (Core core = new Core()) {
            Model original = core.readModel(onnx);
            List<Tensor> inputs = inputs(original.inputs());
            List<Tensor> expected = run(core, original, inputs);

            IrWriter.Written plain = IrWriter.write(core.readModel(onnx).graph(), dir.resolve("plain"), "m");
            assertEquals(0.0, drift(expected, run(core, core.model(IrReader.read(plain.xml())), inputs)),
                    "an unoptimized IR round trip is bit-exact");

            var fp32 = ModelConverter.convert(ConvertOptions.plain(onnx, dir.resolve("fp32")));
            double fp32Drift = drift(expected, run(core, core.readModel(fp32.files().xml()), inputs));
            assertTrue(fp32Drift < 1e-4, name + " FP32 IR drifts " + fp32Drift);

            var fp16 = ModelConverter.convert(new ConvertOptions(onnx, "m16", dir.resolve("fp16"), List.of(), List.of(),
                    List.of(), new float[0], new float[0], null, false, true, null));
            double fp16Drift = drift(expected, run(core, core.readModel(fp16.files().xml()), inputs));
            assertTrue(fp16Drift < 1e-2, name + " FP16 IR drifts " + fp16Drift);
            double ratio = (double) fp16.files().binBytes() / fp32.files().binBytes();
            assertTrue(ratio > 0.45 && ratio < 0.6, name + " FP16/FP32 .bin ratio " + ratio);
            System.out.printf("%s: FP32 .bin %,d bytes, FP16 .bin %,d bytes, drift FP32 %.2e, FP16 %.2e%n", name,
                    fp32.files().binBytes(), fp16.files().binBytes(), fp32Drift, fp16Drift);
        }
    }
}
