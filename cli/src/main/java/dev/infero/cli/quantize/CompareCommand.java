package dev.infero.cli.quantize;

import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.infero.api.Core;
import dev.infero.cli.report.HtmlReport;
import dev.infero.cli.report.SectionReports;
import dev.infero.core.InferoException;
import dev.infero.core.device.PortInfo;
import dev.infero.core.tensor.Tensor;
import dev.infero.quantize.CalibrationData;
import dev.infero.quantize.DriftMetrics;
import dev.infero.quantize.ModelComparison;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code infero compare}: drift of a model (e.g. INT8) from a reference (e.g. FP32) on the same inputs. */
@Command(name = "compare", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Run two models on the same inputs and print, per output, max/mean absolute error, max relative "
                + "error, cosine similarity, SQNR (dB) and, for class-score outputs, top-1 agreement.",
            "  infero compare ir/model_fp32.xml int8/model_int8.xml -i faces/ --per-layer"})
public final class CompareCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "REFERENCE", description = "Reference model (.xml or .onnx).")
    Path reference;

    @Parameters(index = "1", paramLabel = "MODEL", description = "Model compared with it.")
    Path tested;

    @Option(names = {"-i", "--input"}, paramLabel = "PATH",
            description = "Image or .npy file, or a folder of them (recursive). Without it: --random inputs.")
    Path input;

    @Option(names = {"-n", "--max-samples"}, paramLabel = "N", defaultValue = "100",
            description = "At most this many inputs (0 = all); default ${DEFAULT-VALUE}.")
    int maxSamples;

    @Option(names = "--random", paramLabel = "N", defaultValue = "8",
            description = "Without -i: this many random inputs, uniform in 0..255 (default ${DEFAULT-VALUE}).")
    int random;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "0", description = "Seed of the random inputs.")
    long seed;

    @Option(names = "--per-layer", description = "Also compare intermediate tensors with the same name in both "
            + "models and list the layers where error grows most.")
    boolean perLayer;

    @Option(names = "--top", paramLabel = "N", defaultValue = "10", description = "Layers listed by --per-layer.")
    int top;

    @Option(names = "--json", description = "Print the report as JSON.")
    boolean json;

    @Option(names = "--report", paramLabel = "FILE.html",
            description = "Also write the comparison as an HTML page (with --per-layer: drift along the network).")
    Path htmlReport;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        if (htmlReport != null) {
            HtmlReport.checkWritable(htmlReport);
        }
        List<PortInfo> ports;
        try (Core core = new Core()) {
            ports = core.readModel(reference).inputs();
        }
        List<Tensor[]> inputs = input != null ? fromFiles(ports) : randomInputs(ports);
        ModelComparison.Report report = ModelComparison.compare(reference, tested, inputs, perLayer,
                json ? null : System.err);
        if (json) {
            out.println(toJson(report));
        } else {
            print(out, report);
        }
        if (htmlReport != null) {
            SectionReports.drift(htmlReport, "Infero compare: " + tested + " vs " + reference, reference, tested,
                    report, List.of(input != null ? report.samples() + " inputs from " + input
                            : report.samples() + " random inputs, uniform in 0..255 (seed " + seed + ")"),
                    List.of("infero compare " + String.join(" ", spec.commandLine().getParseResult().originalArgs())));
            if (!json) {
                out.println("HTML report written to " + htmlReport);
            }
        }
        return 0;
    }

    private List<Tensor[]> fromFiles(List<PortInfo> ports) {
        if (ports.size() != 1) {
            throw new InferoException("-i feeds single-input models; this one has " + ports.size()
                    + " inputs (use --random)");
        }
        return CalibrationData.load(input, ports.getFirst(), SampleFiles.reader(), maxSamples, false, 0, System.err)
                .stream().map(t -> new Tensor[] {t}).toList();
    }

    private List<Tensor[]> randomInputs(List<PortInfo> ports) {
        return SampleFiles.random(ports, random, seed);
    }

    private void print(PrintWriter out, ModelComparison.Report r) {
        out.printf(Locale.ROOT, "Compared on %d input(s): %s (reference) vs %s%n", r.samples(), reference, tested);
        out.printf(Locale.ROOT, "%-32s %12s %12s %12s %10s %9s %8s%n", "output", "max abs err", "mean abs err",
                "max rel err", "cosine", "SQNR dB", "top-1");
        for (ModelComparison.TensorDrift d : r.outputs()) {
            row(out, d.name(), d.metrics());
        }
        if (perLayer) {
            out.printf(Locale.ROOT, "%nIntermediate tensors compared: %d. Where the error grows most (SQNR lost vs"
                    + " the layer's compared inputs):%n", r.layers().size());
            out.printf(Locale.ROOT, "%-32s %-20s %9s %9s %10s %12s%n", "tensor", "producer", "SQNR dB", "lost dB",
                    "cosine", "max abs err");
            for (ModelComparison.TensorDrift d : r.worstLayers(top)) {
                out.printf(Locale.ROOT, "%-32s %-20s %9.2f %9.2f %10.6f %12.5g%n", clip(d.name()), d.producer(),
                        d.metrics().sqnrDb(), d.growthDb(), d.metrics().cosine(), d.metrics().maxAbsError());
            }
        }
    }

    private static void row(PrintWriter out, String name, DriftMetrics m) {
        double top1 = m.top1Agreement();
        out.printf(Locale.ROOT, "%-32s %12.5g %12.5g %12.5g %10.6f %9.2f %8s%n", clip(name), m.maxAbsError(),
                m.meanAbsError(), m.maxRelError(), m.cosine(), m.sqnrDb(),
                Double.isNaN(top1) ? "-" : String.format(Locale.ROOT, "%.1f%%", 100 * top1));
    }

    private static String clip(String s) {
        return s.length() <= 32 ? s : "…" + s.substring(s.length() - 31);
    }

    private String toJson(ModelComparison.Report r) {
        JsonMapper mapper = new JsonMapper();
        ObjectNode root = mapper.createObjectNode();
        root.put("reference", reference.toString());
        root.put("model", tested.toString());
        root.put("samples", r.samples());
        ArrayNode outs = root.putArray("outputs");
        r.outputs().forEach(d -> outs.add(json(mapper, d)));
        if (perLayer) {
            ArrayNode layers = root.putArray("layers");
            r.layers().forEach(d -> layers.add(json(mapper, d).put("sqnr_lost_db", finite(d.growthDb()))));
        }
        return root.toPrettyString();
    }

    private static ObjectNode json(JsonMapper mapper, ModelComparison.TensorDrift d) {
        DriftMetrics m = d.metrics();
        ObjectNode o = mapper.createObjectNode();
        o.put("name", d.name());
        o.put("producer", d.producer());
        o.put("max_abs_error", m.maxAbsError());
        o.put("mean_abs_error", m.meanAbsError());
        o.put("max_rel_error", m.maxRelError());
        o.put("cosine", m.cosine());
        o.put("sqnr_db", finite(m.sqnrDb()));
        if (!Double.isNaN(m.top1Agreement())) {
            o.put("top1_agreement", m.top1Agreement());
        }
        return o;
    }

    /** JSON has no infinity: an exact match is reported as null. */
    private static Double finite(double v) {
        return Double.isFinite(v) ? v : null;
    }
}
