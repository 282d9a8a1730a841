package dev.infero.quantize;

import dev.infero.api.Core;
import dev.infero.api.Model;
import dev.infero.core.InferoException;
import dev.infero.core.graph.Graph;
import dev.infero.core.graph.Node;
import dev.infero.core.tensor.Tensor;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A model calibrated once (activation statistics on the FP32 model) that can then be quantized many times with
 * different layers kept in floating point — what accuracy-aware quantization needs to try reverting layers without
 * collecting statistics again. Each {@link #quantize} starts from a fresh copy of the FP32 graph, so a layer kept in
 * FP32 keeps its original weights and bias.
 */
public final class QuantizationSession implements AutoCloseable {
    private final Core core;
    private final Path model;
    private final List<Tensor> samples;
    private final QuantizationParameters params;
    private final List<TensorId> taps;
    private final TappedModel fp32;
    private final Map<TensorId, List<ActivationRange>> ranges;
    private final List<Group> groups;
    private final Map<String, float[]> correctedBiases = new java.util.HashMap<>();

    /**
     * Layers that must be quantized or reverted together: those reading one activation tensor share its
     * FakeQuantize (POT's "quantizer and the ops it feeds").
     *
     * @param name  a name for reports: the shared input tensor's producer and the layers
     * @param layers names of the Convolution / GroupConvolution / MatMul nodes in the group
     */
    public record Group(String name, List<String> layers) {
    }

    private QuantizationSession(Core core, Path model, List<Tensor> samples, QuantizationParameters params,
                                PrintStream log) {
        this.core = core;
        this.model = model;
        this.samples = samples;
        this.params = params;
        Graph graph = core.readModel(model).graph();
        if (graph.parameters().size() != 1) {
            throw new InferoException("quantize supports single-input models; " + model + " has "
                    + graph.parameters().size() + " inputs");
        }
        List<Node> layers = DefaultQuantization.layers(graph, params);
        if (layers.isEmpty()) {
            throw new InferoException("nothing to quantize in " + model + ": no Convolution, GroupConvolution or"
                    + " MatMul outside the ignored scope");
        }
        this.taps = DefaultQuantization.activationInputs(layers);
        this.groups = groups(layers);
        this.fp32 = new TappedModel(core, core.readModel(model), taps);
        try {
            this.ranges = ActivationStatistics.collect(fp32, taps, DefaultQuantization.perChannelInputs(layers),
                    samples, params.rangeEstimator(), log);
        } catch (RuntimeException e) {
            fp32.close();
            throw e;
        }
    }

    /** Collects activation statistics of {@code model} on {@code samples}. */
    public static QuantizationSession calibrate(Core core, Path model, List<Tensor> samples,
                                                QuantizationParameters params, PrintStream log) {
        return new QuantizationSession(core, model, samples, params, log);
    }

    /** The groups of layers DefaultQuantization quantizes, in graph order. */
    public List<Group> groups() {
        return groups;
    }

    public QuantizationParameters parameters() {
        return params;
    }

    public int samples() {
        return samples.size();
    }

    /** The FP32 model quantized with every layer named in {@code keepFp32} left in floating point. */
    public Quantizer.Quantized quantize(Set<String> keepFp32, PrintStream log) {
        Model target = core.readModel(model);
        Graph graph = target.graph();
        graph.metadata().remove(Core.SOURCE_PATH);
        List<Node> layers = DefaultQuantization.layers(graph, params).stream()
                .filter(n -> !keepFp32.contains(n.name())).toList();
        if (layers.isEmpty()) {
            return new Quantizer.Quantized(graph, 0, 0, 0);
        }
        DefaultQuantization.Outcome outcome = DefaultQuantization.apply(graph, layers, ranges, params.preset());
        int biases = params.fastBiasCorrection()
                ? FastBiasCorrection.apply(graph, outcome.layers(), fp32, taps, samples, log, correctedBiases) : 0;
        return new Quantizer.Quantized(graph, outcome.layers().size(), outcome.fakeQuantizes(), biases);
    }

    /** Union of layers over shared activation inputs (a MatMul reading two tensors joins both groups). */
    static List<Group> groups(List<Node> layers) {
        Map<TensorId, Integer> owner = new LinkedHashMap<>();
        List<Set<String>> sets = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (Node l : layers) {
            Integer target = null;
            for (int port : DefaultQuantization.activationPorts(l)) {
                Integer g = owner.get(TensorId.of(l.input(port)));
                if (g != null && target == null) {
                    target = g;
                } else if (g != null && !g.equals(target)) {
                    sets.get(target).addAll(sets.get(g));
                    sets.get(g).clear();
                    int from = g;
                    int to = target;
                    owner.replaceAll((k, v) -> v == from ? to : v);
                }
            }
            if (target == null) {
                target = sets.size();
                sets.add(new LinkedHashSet<>());
                List<Integer> ports = DefaultQuantization.activationPorts(l);
                names.add(ports.isEmpty() ? l.name() : l.input(ports.getFirst()).node().name());
            }
            sets.get(target).add(l.name());
            for (int port : DefaultQuantization.activationPorts(l)) {
                owner.put(TensorId.of(l.input(port)), target);
            }
        }
        List<Group> out = new ArrayList<>();
        for (int i = 0; i < sets.size(); i++) {
            if (!sets.get(i).isEmpty()) {
                out.add(new Group(names.get(i), List.copyOf(sets.get(i))));
            }
        }
        return out;
    }

    @Override
    public void close() {
        fp32.close();
    }
}
