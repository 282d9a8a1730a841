package dev.infero.quantize;

import dev.infero.api.CompiledModel;
import dev.infero.api.Core;
import dev.infero.api.InferRequest;
import dev.infero.api.Model;
import dev.infero.api.io.Progress;
import dev.infero.core.InferoException;
import dev.infero.core.graph.Graph;
import dev.infero.core.graph.Node;
import dev.infero.core.graph.Value;
import dev.infero.core.ops.Parameter;
import dev.infero.core.ops.Result;
import dev.infero.core.ops.eltwise.Add;
import dev.infero.core.tensor.Tensor;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Runs a reference model and a model under test (e.g. FP32 and its INT8 version) on the same inputs and measures the
 * drift of every output and, optionally, of every intermediate tensor the two share by name.
 */
public final class ModelComparison {
    /** SQNR standing for "no error" (identical tensors), so that differences stay finite. */
    private static final double EXACT_DB = 200;

    /**
     * What a layer reading exact inputs (e.g. the model input) is measured against: the SQNR of ideal 8-bit
     * quantization of a full-scale uniform signal, 6.02·8 + 1.76 dB. Otherwise the first layer would always top the
     * list, having gone from "no error" to any error at all.
     */
    private static final double IDEAL_8BIT_DB = 6.02 * 8 + 1.76;

    /** Drift of one tensor: {@code growthDb} is how many dB of SQNR it lost against its nearest compared inputs. */
    public record TensorDrift(String name, String producer, DriftMetrics metrics, double growthDb) {
    }

    public record Report(List<TensorDrift> outputs, List<TensorDrift> layers, int samples) {
        /** Intermediate tensors ordered by where error grows most. */
        public List<TensorDrift> worstLayers(int n) {
            return layers.stream().sorted(Comparator.comparingDouble(TensorDrift::growthDb).reversed())
                    .limit(n).toList();
        }
    }

    private ModelComparison() {
    }

    public static Report compare(Path reference, Path tested, List<Tensor[]> inputs, boolean perLayer,
                                 PrintStream log) {
        try (Core core = new Core()) {
            Model a = core.readModel(reference);
            Model b = core.readModel(tested);
            Graph ga = a.graph();
            Graph gb = b.graph();
            if (ga.results().size() != gb.results().size() || ga.parameters().size() != gb.parameters().size()) {
                throw new InferoException("the models differ in inputs or outputs: " + ga.parameters().size() + "/"
                        + ga.results().size() + " vs " + gb.parameters().size() + "/" + gb.results().size());
            }
            List<String> outputNames = new ArrayList<>();
            for (Node r : ga.results()) {
                outputNames.add(r.output(0).portName());
            }
            int outputs = outputNames.size();
            Map<String, Value[]> shared = perLayer ? sharedTensors(ga, gb) : Map.of();
            List<String> layerNames = new ArrayList<>(shared.keySet());
            for (int i = 0; i < layerNames.size(); i++) {
                Value[] pair = shared.get(layerNames.get(i));
                ga.addResult("infero_compare_" + i, pair[0]);
                gb.addResult("infero_compare_" + i, pair[1]);
            }
            int total = outputs + layerNames.size();
            DriftMetrics[] metrics = new DriftMetrics[total];
            for (int i = 0; i < total; i++) {
                metrics[i] = new DriftMetrics(i < outputs && isClassifierHead(ga.results().get(i).input(0)));
            }
            try (CompiledModel ca = core.compileModel(a, "CPU"); CompiledModel cb = core.compileModel(b, "CPU")) {
                InferRequest ra = ca.createInferRequest();
                InferRequest rb = cb.createInferRequest();
                Progress bar = new Progress("Comparing", inputs.size(), log);
                for (Tensor[] sample : inputs) {
                    for (int i = 0; i < sample.length; i++) {
                        ra.setInput(i, sample[i]);
                        rb.setInput(i, sample[i]);
                    }
                    ra.infer();
                    rb.infer();
                    for (int i = 0; i < total; i++) {
                        metrics[i].add(ra.getOutput(i), rb.getOutput(i));
                    }
                    bar.step();
                }
                bar.finish();
            }
            List<TensorDrift> outs = new ArrayList<>();
            for (int i = 0; i < outputs; i++) {
                outs.add(new TensorDrift(outputNames.get(i), ga.results().get(i).input(0).node().type(), metrics[i],
                        Double.NaN));
            }
            Map<Value, Double> sqnr = new IdentityHashMap<>();
            for (int i = 0; i < layerNames.size(); i++) {
                sqnr.put(shared.get(layerNames.get(i))[0], Math.min(metrics[outputs + i].sqnrDb(), EXACT_DB));
            }
            List<TensorDrift> layers = new ArrayList<>();
            for (int i = 0; i < layerNames.size(); i++) {
                Value v = shared.get(layerNames.get(i))[0];
                double inputDb = Math.min(IDEAL_8BIT_DB, nearestComparedInputs(v, sqnr).stream()
                        .mapToDouble(sqnr::get).min().orElse(EXACT_DB));
                layers.add(new TensorDrift(layerNames.get(i), producer(v), metrics[outputs + i],
                        inputDb - sqnr.get(v)));
            }
            return new Report(outs, layers, inputs.size());
        }
    }

    /**
     * Float tensors computed at run time that both graphs name alike, in the reference's order (model inputs,
     * constants and Results excluded).
     */
    static Map<String, Value[]> sharedTensors(Graph a, Graph b) {
        Map<String, Value> inB = new LinkedHashMap<>();
        for (Node n : b.nodes()) {
            for (Value v : n.outputs()) {
                if (isComparable(v)) {
                    v.names().forEach(name -> inB.putIfAbsent(name, v));
                }
            }
        }
        Map<String, Value[]> shared = new LinkedHashMap<>();
        Set<Value> taken = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        for (Node n : a.nodes()) {
            for (Value v : n.outputs()) {
                if (!isComparable(v) || taken.contains(v)) {
                    continue;
                }
                for (String name : v.names()) {
                    Value other = inB.get(name);
                    if (other != null && other.shape().equals(v.shape())) {
                        shared.put(name, new Value[] {v, other});
                        taken.add(v);
                        break;
                    }
                }
            }
        }
        return shared;
    }

    /** The op computing {@code v}; a bias Add after a layer is named with it ("Convolution+Add"). */
    static String producer(Value v) {
        Node n = v.node();
        if (n.op() instanceof Add && n.inputs().stream().anyMatch(in -> in != null && in.isKnown())) {
            for (Value in : n.inputs()) {
                if (in != null && !in.isKnown() && DefaultQuantization.QUANTIZABLE.contains(in.node().type())) {
                    return in.node().type() + "+Add";
                }
            }
        }
        return n.type();
    }

    /** Ops that only move or offset values, looked through when finding what computed an output. */
    private static final Set<String> PASS_THROUGH = Set.of("Reshape", "Squeeze", "Unsqueeze", "Transpose", "Convert",
            "Add", "Multiply");

    /**
     * Whether {@code v} is computed by a classifier head (Softmax, LogSoftmax, or a fully connected MatMul, possibly
     * followed by a bias and reshapes), so top-1 agreement means something; a [1, N, 1, 1] output of a convolution
     * (e.g. face landmarks) is not class scores even though it has that shape.
     */
    static boolean isClassifierHead(Value v) {
        Node n = v.node();
        while (PASS_THROUGH.contains(n.type())) {
            Value next = n.inputs().stream().filter(in -> in != null && !in.isKnown()).findFirst().orElse(null);
            if (next == null) {
                return false;
            }
            n = next.node();
        }
        return Set.of("SoftMax", "LogSoftmax", "MatMul").contains(n.type());
    }

    private static boolean isComparable(Value v) {
        Node n = v.node();
        return !v.isKnown() && v.type() != null && v.type().isFloating() && !(n.op() instanceof Result)
                && !(n.op() instanceof Parameter);
    }

    /** The compared tensors reached first when walking back from {@code v}'s producer through uncompared ones. */
    private static Set<Value> nearestComparedInputs(Value v, Map<Value, Double> compared) {
        Set<Value> found = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        Set<Node> seen = new HashSet<>();
        ArrayDeque<Node> work = new ArrayDeque<>();
        work.add(v.node());
        while (!work.isEmpty()) {
            Node n = work.pop();
            if (!seen.add(n)) {
                continue;
            }
            for (Value in : n.inputs()) {
                if (in == null || in.isKnown()) {
                    continue;
                }
                if (compared.containsKey(in)) {
                    found.add(in);
                } else {
                    work.push(in.node());
                }
            }
        }
        return found;
    }
}
