package dev.infero.quantize;

import dev.infero.api.Core;
import dev.infero.core.graph.Graph;
import dev.infero.core.tensor.Tensor;
import dev.infero.ir.IrWriter;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;

/**
 * Post-training quantization of a model file (IR or ONNX) on calibration samples: statistics on the FP32 model,
 * FakeQuantize insertion and INT8 weights ({@link DefaultQuantization}), fast bias correction, and the result
 * written as IR. The quantized IR still computes in float (FakeQuantize, Convert, Multiply are exact float ops), so
 * it runs on any device; INT8 kernels that exploit it are a separate concern of the runtime.
 */
public final class Quantizer {
    /** What was written and done. */
    public record Result(Path xml, Path bin, long binBytes, int quantizedLayers, int fakeQuantizes,
                         int biasesCorrected) {
    }

    private Quantizer() {
    }

    /**
     * Where the IR goes: straight into {@code outputDir} with {@code direct} (POT's {@code -d}), otherwise into
     * {@code outputDir/<model>_DefaultQuantization/<timestamp>/} as POT does, so runs never overwrite each other.
     */
    public static Path outputFolder(Path outputDir, boolean direct, String modelName) {
        return outputFolder(outputDir, direct, modelName, "DefaultQuantization");
    }

    /** As {@link #outputFolder(Path, boolean, String)}, for the algorithm named (POT's sub-folder name). */
    public static Path outputFolder(Path outputDir, boolean direct, String modelName, String algorithm) {
        if (direct) {
            return outputDir;
        }
        String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyy-MM-dd_HH-mm-ss"));
        return outputDir.resolve(modelName + "_" + algorithm).resolve(stamp);
    }

    /** Quantizes {@code model} and writes {@code dir/<name>.xml/.bin}. {@code config} (may be null) is recorded. */
    public static Result quantize(Path model, List<Tensor> samples, QuantizationParameters params, Path dir,
                                  String name, String config, PrintStream log) {
        try (Core core = new Core()) {
            return write(quantizeGraph(core, model, samples, params, log), params, samples.size(), dir, name, config);
        }
    }

    /** Writes a quantized graph as {@code dir/<name>.xml/.bin}, recording the parameters in its metadata. */
    public static Result write(Quantized q, QuantizationParameters params, int samples, Path dir, String name,
                               String config) {
        Graph graph = q.graph();
        graph.metadata().put("quantization_parameters/preset", params.preset().potName());
        graph.metadata().put("quantization_parameters/stat_subset_size", String.valueOf(samples));
        graph.metadata().put("quantization_parameters/range_estimator",
                params.rangeEstimator().kind().name().toLowerCase(java.util.Locale.ROOT));
        if (config != null) {
            graph.metadata().put("quantization_parameters/config", config);
        }
        IrWriter.Written w = IrWriter.write(graph, dir, name);
        return new Result(w.xml(), w.bin(), w.binBytes(), q.layers(), q.fakeQuantizes(), q.biasesCorrected());
    }

    /** A quantized graph and what was done to it. */
    public record Quantized(Graph graph, int layers, int fakeQuantizes, int biasesCorrected) {
    }

    /** The quantized graph of {@code model}, not written anywhere. */
    public static Quantized quantizeGraph(Core core, Path model, List<Tensor> samples, QuantizationParameters params,
                                      PrintStream log) {
        try (QuantizationSession session = QuantizationSession.calibrate(core, model, samples, params, log)) {
            return session.quantize(java.util.Set.of(), log);
        }
    }
}
