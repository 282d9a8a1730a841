package dev.infero.quantize;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infero.api.CompiledModel;
import dev.infero.api.Core;
import dev.infero.api.InferRequest;
import dev.infero.core.graph.Graph;
import dev.infero.core.tensor.Tensor;
import dev.infero.ir.IrReader;
import dev.infero.ir.IrWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Quantize the generated CNN, load the INT8 IR with the runtime, and measure its drift from FP32. */
class QuantizeEndToEndTest {
    @TempDir
    Path dir;

    @Test
    void quantizedIrLoadsRunsAndStaysCloseToFp32() throws Exception {
        IrWriter.Written fp32 = SmallCnn.fp32Ir(SmallCnn.write(dir), dir, "small_fp32");
        List<Tensor> calibration = SmallCnn.samples(32, 1);
        Quantizer.Result r = Quantizer.quantize(fp32.xml(), calibration, QuantizationParameters.defaults(),
                dir.resolve("int8"), "small_int8", "{}", null);
        assertEquals(5, r.quantizedLayers());
        assertEquals(4, r.fakeQuantizes());
        assertEquals(5, r.biasesCorrected());

        Graph int8 = IrReader.read(r.xml());
        assertEquals(4, int8.opHistogram().get("FakeQuantize"));
        assertEquals("performance", int8.metadata().get("quantization_parameters/preset"));
        assertTrue(int8.nodes().stream().anyMatch(n -> n.type().equals("Const")
                && n.output(0).type() == dev.infero.core.types.ElementType.I8), "INT8 weights in the IR");
        assertTrue(Files.size(r.bin()) < Files.size(fp32.bin()), "smaller .bin");

        List<Tensor[]> test = SmallCnn.samples(16, 99).stream().map(t -> new Tensor[] {t}).toList();
        ModelComparison.Report report = ModelComparison.compare(fp32.xml(), r.xml(), test, true, null);
        DriftMetrics scores = report.outputs().getFirst().metrics();
        assertTrue(scores.sqnrDb() > 25, "SQNR " + scores.sqnrDb());
        assertTrue(scores.cosine() > 0.998, "cosine " + scores.cosine());
        assertTrue(scores.top1Agreement() >= 0.9, "top-1 " + scores.top1Agreement());
        assertTrue(report.layers().size() >= 5, "intermediate tensors matched by name: " + report.layers().size());

        try (Core core = new Core(); CompiledModel m = core.compileModel(r.xml(), "CPU")) {
            InferRequest req = m.createInferRequest();
            req.setInput(0, test.getFirst()[0]);
            req.infer();
            assertEquals(10, req.getOutput(0).size());
        }
    }

    @Test
    void mixedPresetAndQuantileRangesAlsoWork() {
        Path onnx = SmallCnn.write(dir);
        QuantizationParameters p = QuantizationParameters.defaults().withPreset(Preset.MIXED)
                .withRangeEstimator(RangeEstimator.QUANTILE).withFastBiasCorrection(false);
        Quantizer.Result r = Quantizer.quantize(onnx, SmallCnn.samples(16, 1), p, dir.resolve("mixed"), "m", null,
                null);
        assertEquals(0, r.biasesCorrected());
        ModelComparison.Report report = ModelComparison.compare(onnx, r.xml(),
                SmallCnn.samples(8, 5).stream().map(t -> new Tensor[] {t}).toList(), false, null);
        assertTrue(report.outputs().getFirst().metrics().sqnrDb() > 20,
                "SQNR " + report.outputs().getFirst().metrics().sqnrDb());
    }

    @Test
    void outputFolderIsTimestampedUnlessDirect() {
        assertEquals(dir, Quantizer.outputFolder(dir, true, "m"));
        Path p = Quantizer.outputFolder(dir, false, "m");
        assertEquals(dir.resolve("m_DefaultQuantization"), p.getParent());
        assertTrue(p.getFileName().toString().matches("\\d{4}-\\d\\d-\\d\\d_\\d\\d-\\d\\d-\\d\\d"));
    }
}
