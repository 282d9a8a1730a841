package dev.infero.quantize;

import dev.infero.api.Core;
import dev.infero.api.Model;
import dev.infero.core.InferoException;
import dev.infero.core.graph.Graph;
import dev.infero.core.graph.Node;
import dev.infero.core.tensor.Tensor;
import dev.infero.ir.IrWriter;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;

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
        if (direct) {
            return outputDir;
        }
        String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyy-MM-dd_HH-mm-ss"));
        return outputDir.resolve(modelName + "_DefaultQuantization").resolve(stamp);
    }

    /** Quantizes {@code model} and writes {@code dir/<name>.xml/.bin}. {@code config} (may be null) is recorded. */
    public static Result quantize(Path model, List<Tensor> samples, QuantizationParameters params, Path dir,
                                  String name, String config, PrintStream log) {
        try (Core core = new Core()) {
            Quantized q = quantizeGraph(core, model, samples, params, log);
            Graph graph = q.graph();
            graph.metadata().put("quantization_parameters/preset", params.preset().potName());
            graph.metadata().put("quantization_parameters/stat_subset_size", String.valueOf(samples.size()));
            graph.metadata().put("quantization_parameters/range_estimator",
                    params.rangeEstimator().kind().name().toLowerCase(java.util.Locale.ROOT));
            if (config != null) {
                graph.metadata().put("quantization_parameters/config", config);
            }
            IrWriter.Written w = IrWriter.write(graph, dir, name);
            return new Result(w.xml(), w.bin(), w.binBytes(), q.layers(), q.fakeQuantizes(), q.biasesCorrected());
        }
    }

    /** A quantized graph and what was done to it. */
    public record Quantized(Graph graph, int layers, int fakeQuantizes, int biasesCorrected) {
    }

    /** The quantized graph of {@code model}, not written anywhere. */
    public static Quantized quantizeGraph(Core core, Path model, List<Tensor> samples, QuantizationParameters params,
                                      PrintStream log) {
        Model target = core.readModel(model);
        Graph graph = target.graph();
        if (graph.parameters().size() != 1) {
            throw new InferoException("quantize supports single-input models; " + model + " has "
                    + graph.parameters().size() + " inputs");
        }
        graph.metadata().remove(Core.SOURCE_PATH);
        List<Node> layers = DefaultQuantization.layers(graph, params);
        if (layers.isEmpty()) {
            throw new InferoException("nothing to quantize in " + model + ": no Convolution, GroupConvolution or"
                    + " MatMul outside the ignored scope");
        }
        List<TensorId> taps = DefaultQuantization.activationInputs(layers);
        try (TappedModel fp32 = new TappedModel(core, core.readModel(model), taps)) {
            Map<TensorId, List<ActivationRange>> ranges = ActivationStatistics.collect(fp32, taps,
                    DefaultQuantization.perChannelInputs(layers), samples, params.rangeEstimator(), log);
            DefaultQuantization.Outcome outcome = DefaultQuantization.apply(graph, layers, ranges, params.preset());
            int biases = params.fastBiasCorrection()
                    ? FastBiasCorrection.apply(graph, outcome.layers(), fp32, taps, samples, log) : 0;
            return new Quantized(graph, outcome.layers().size(), outcome.fakeQuantizes(), biases);
        }
    }
}
