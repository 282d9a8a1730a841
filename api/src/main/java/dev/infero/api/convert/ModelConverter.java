package dev.infero.api.convert;

import dev.infero.api.Core;
import dev.infero.core.InferoException;
import dev.infero.core.graph.Graph;
import dev.infero.core.graph.Node;
import dev.infero.core.graph.Value;
import dev.infero.core.types.PartialShape;
import dev.infero.ir.IrWriter;
import dev.infero.transforms.CompressToFp16;
import dev.infero.transforms.DecompressWeights;
import dev.infero.transforms.EmbedPreprocessing;
import dev.infero.transforms.Optimizations;
import dev.infero.transforms.Pass;
import dev.infero.transforms.PassManager;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The model optimizer: reads a model, applies the user's input/output and shape choices, optimizes the graph with
 * device-independent passes, optionally compresses weights to FP16, and writes OpenVINO IR v11.
 */
public final class ModelConverter {
    /** What a conversion produced. */
    public record Result(IrWriter.Written files, List<PassManager.Step> report, int nodesBefore, int nodesAfter,
                         long millis) {
    }

    private ModelConverter() {
    }

    public static Result convert(ConvertOptions options) {
        long start = System.nanoTime();
        Graph graph;
        try (Core core = new Core()) {
            graph = core.readModel(options.source()).graph();
        }
        int nodesBefore = graph.nodes().size();
        List<Node> inputs = selectInputs(graph, options.inputs());
        reshape(graph, inputs, options.inputShapes());
        if (!options.outputs().isEmpty()) {
            graph.replaceResults(options.outputs().stream().map(name -> tensor(graph, name, "--output")).toList());
        }
        List<Pass> passes = new ArrayList<>();
        EmbedPreprocessing.Steps steps = new EmbedPreprocessing.Steps(options.reverseInputChannels(),
                options.meanValues(), options.scaleValues().length > 0 || options.scale() == null
                        ? options.scaleValues() : new float[] {options.scale()});
        if (!steps.isEmpty()) {
            passes.add(new EmbedPreprocessing(inputs, steps, channelAxis(options.layout())));
        }
        passes.addAll(Optimizations.standard());
        if (options.decompressWeights() && !options.compressToFp16()) {
            passes.add(new DecompressWeights());
        }
        if (options.compressToFp16()) {
            passes.add(new CompressToFp16());
        }
        List<PassManager.Step> report = new PassManager(passes).run(graph);
        recordParameters(graph, options);
        IrWriter.Written written = IrWriter.write(graph, options.outputDir(), options.modelNameOrDefault());
        return new Result(written, report, nodesBefore, graph.nodes().size(), (System.nanoTime() - start) / 1_000_000);
    }

    private static int channelAxis(String layout) {
        if (layout == null) {
            return 1;
        }
        return switch (layout) {
            case "nchw" -> 1;
            case "nhwc" -> 3;
            case "chw" -> 0;
            case "hwc" -> 2;
            default -> throw new InferoException("--layout '" + layout + "' is not one of nchw, nhwc, chw, hwc");
        };
    }

    /** The parameters named by {@code --input} (cutting the graph at inner tensors), or all of them. */
    private static List<Node> selectInputs(Graph graph, List<String> names) {
        if (names.isEmpty()) {
            return graph.parameters();
        }
        List<Node> selected = new ArrayList<>();
        for (String name : names) {
            Node p = graph.parameters().stream()
                    .filter(n -> n.name().equals(name) || n.output(0).names().contains(name)).findFirst()
                    .orElse(null);
            selected.add(p != null ? p : graph.cutAt(tensor(graph, name, "--input"), name));
        }
        graph.removeUnusedParameters();
        return selected;
    }

    private static void reshape(Graph graph, List<Node> inputs, List<PartialShape> shapes) {
        if (shapes.isEmpty()) {
            return;
        }
        if (shapes.size() != inputs.size()) {
            throw new InferoException("--input_shape gives " + shapes.size() + " shape(s) but the model has "
                    + inputs.size() + " input(s) " + inputs.stream().map(Node::name).toList()
                    + "; give one shape per input, in order (or name them with --input)");
        }
        for (int i = 0; i < shapes.size(); i++) {
            Node p = inputs.get(i);
            PartialShape current = p.output(0).shape();
            PartialShape wanted = shapes.get(i);
            if (current.hasRank() && wanted.hasRank() && !compatible(current, wanted)) {
                throw new InferoException("--input_shape " + wanted + " contradicts input '" + p.name()
                        + "' of shape " + current);
            }
            try {
                graph.reshape(p, wanted);
            } catch (InferoException e) {
                throw new InferoException("--input_shape " + wanted + " for input '" + p.name()
                        + "' does not fit the model: " + e.getMessage(), e);
            }
        }
    }

    /** Same rank, and every dimension either dynamic on one side or equal. */
    private static boolean compatible(PartialShape a, PartialShape b) {
        if (a.rank() != b.rank()) {
            return false;
        }
        for (int i = 0; i < a.rank(); i++) {
            if (!a.isDynamic(i) && !b.isDynamic(i) && a.dim(i) != b.dim(i)) {
                return false;
            }
        }
        return true;
    }

    private static Value tensor(Graph graph, String name, String option) {
        for (Node n : graph.nodes()) {
            for (Value v : n.outputs()) {
                if (v.names().contains(name)) {
                    return v;
                }
            }
        }
        for (Node n : graph.nodes()) {
            if (n.name().equals(name) && !n.outputs().isEmpty()) {
                return n.output(0);
            }
        }
        throw new InferoException(option + " names '" + name + "', which is not a tensor or node of the model");
    }

    /** The conversion parameters, kept in the IR's model-level rt_info as OpenVINO does. */
    private static void recordParameters(Graph graph, ConvertOptions o) {
        var m = graph.metadata();
        String prefix = "conversion_parameters/";
        m.put(prefix + "input_model", o.inputModel().toString());
        m.put(prefix + "model_name", o.modelNameOrDefault());
        if (!o.inputShapes().isEmpty()) {
            m.put(prefix + "input_shape", o.inputShapes().toString());
        }
        if (o.meanValues().length > 0) {
            m.put(prefix + "mean_values", Arrays.toString(o.meanValues()));
        }
        if (o.scaleValues().length > 0) {
            m.put(prefix + "scale_values", Arrays.toString(o.scaleValues()));
        }
        if (o.scale() != null) {
            m.put(prefix + "scale", o.scale().toString());
        }
        m.put(prefix + "reverse_input_channels", Boolean.toString(o.reverseInputChannels()));
        m.put(prefix + "compress_to_fp16", Boolean.toString(o.compressToFp16()));
    }
}
