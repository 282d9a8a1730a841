package dev.infero.cli.quantize;

import dev.infero.accuracy.AccuracyAwareQuantization;
import dev.infero.accuracy.AccuracyChecker;
import dev.infero.accuracy.AccuracyConfig;
import dev.infero.api.Core;
import dev.infero.api.Model;
import dev.infero.cli.ModelSize;
import dev.infero.cli.report.HtmlReport;
import dev.infero.cli.report.SectionReports;
import dev.infero.core.InferoException;
import dev.infero.core.OutputFolder;
import dev.infero.core.device.PortInfo;
import dev.infero.core.tensor.Tensor;
import dev.infero.ir.IrReader;
import dev.infero.onnx.OnnxExporter;
import dev.infero.quantize.CalibrationData;
import dev.infero.quantize.ModelComparison;
import dev.infero.quantize.PotConfig;
import dev.infero.quantize.PotConfigParser;
import dev.infero.quantize.Preset;
import dev.infero.quantize.QuantizationParameters;
import dev.infero.quantize.Quantizer;
import dev.infero.quantize.RangeEstimator;
import dev.infero.transforms.ConstantFolding;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code infero quantize}: POT's DefaultQuantization, from a POT JSON config or from options. */
@Command(name = "quantize", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Post-training INT8 quantization (OpenVINO POT's DefaultQuantization, or AccuracyAwareQuantization "
                + "with the accuracy_checker engine: layers that hurt the metric most go back to FP32 until the drop "
                + "fits maximal_drop; see docs/accuracy.md): calibrate on a folder of "
                + "images (JPEG/PNG/BMP, resized to the input) or .npy tensors, insert FakeQuantize on the inputs of "
                + "Convolution/GroupConvolution/MatMul, store weights as per-channel INT8, correct biases, write IR.",
            "The result runs anywhere the FP32 IR does; the CPU device runs its convolutions in INT8 (integer "
                + "codes, exact sums), the rest in float.",
            "With --format onnx it also writes <name>_int8.onnx, a QDQ model (QuantizeLinear/DequantizeLinear, opset "
                + OnnxExporter.OPSET + ") that ONNX Runtime runs.",
            "  infero quantize -c quantization_spec.json --output-dir . -d",
            "  infero quantize -m ir/model.xml --data faces/ --preset performance --subset-size 300 --output-dir int8/"})
public final class QuantizeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = {"-c", "--config"}, paramLabel = "FILE",
            description = "POT JSON configuration (comments allowed); other model/data options are then not used.")
    Path config;

    @Option(names = {"-m", "--model"}, paramLabel = "FILE", description = "Model to quantize (.xml IR or .onnx).")
    Path model;

    @Option(names = {"--data", "--data-source"}, paramLabel = "DIR",
            description = "Calibration data: folder (searched recursively) of images or .npy files.")
    Path data;

    @Option(names = {"-n", "--name"}, paramLabel = "NAME",
            description = "Model name (default: the model file's base name); the IR is written as NAME_int8.")
    String name;

    @Option(names = "--preset", paramLabel = "PRESET", defaultValue = "performance",
            description = "performance (symmetric activations) or mixed (asymmetric); default ${DEFAULT-VALUE}.")
    String preset;

    @Option(names = {"--subset-size", "--stat-subset-size"}, paramLabel = "N", defaultValue = "300",
            description = "Calibration samples to use (0 = all); default ${DEFAULT-VALUE}.")
    int subsetSize;

    @Option(names = "--shuffle", description = "Pick the samples at random (fixed --seed) instead of in path order.")
    boolean shuffle;

    @Option(names = "--seed", defaultValue = "0", paramLabel = "N", description = "Seed for --shuffle.")
    long seed;

    @Option(names = "--range-estimator", paramLabel = "KIND", defaultValue = "default",
            description = "Activation ranges: default (min/max) or quantile (clip 1e-4 outliers per sample).")
    String rangeEstimator;

    @Option(names = "--no-bias-correction", description = "Skip fast bias correction.")
    boolean noBiasCorrection;

    @Option(names = "--ignored-scope", split = ",", paramLabel = "NODES",
            description = "Node names to keep in floating point.")
    List<String> ignoredScope = List.of();

    @Option(names = "--ignored-types", split = ",", paramLabel = "TYPES",
            description = "Op types to keep in floating point, e.g. MatMul.")
    List<String> ignoredTypes = List.of();

    @Option(names = "--output-dir", paramLabel = "DIR", defaultValue = "./results",
            description = "Output root (default ${DEFAULT-VALUE}).")
    Path outputDir;

    @Option(names = {"-d", "--direct-dump"},
            description = "Write the IR straight into --output-dir, not into <name>_DefaultQuantization/<time>/.")
    boolean directDump;

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "ir",
            description = "ir (default): the INT8 IR only; onnx: also <name>_int8.onnx next to it, as a QDQ ONNX model.")
    String format;

    @Option(names = "--report", paramLabel = "FILE.html",
            description = "Also write an HTML page: FP32 and INT8 size, and the INT8 drift per output and along the "
                    + "network, measured on up to 32 of the calibration samples.")
    Path htmlReport;

    @Override
    public Integer call() throws IOException {
        if (!format.equals("ir") && !format.equals("onnx")) {
            throw new InferoException("--format must be ir or onnx, got " + format);
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintStream log = System.err;
        PotConfig cfg = config != null ? configFromFile() : configFromOptions();
        if (htmlReport != null) {
            HtmlReport.checkWritable(htmlReport);
        }
        if (cfg.accuracyConfig() != null) {
            return withAccuracyChecker(cfg, out, log);
        }
        Path modelFile = cfg.model();
        PortInfo input;
        long fp32;
        try (Core core = new Core()) {
            Model model = core.readModel(modelFile);
            // The weights as FP32 (the constants once folded, as an FP32 IR stores them), not the model file's size:
            // an ONNX file that computes its weights (ConstantOfShape) is tiny, an FP16-compressed IR half as big.
            new ConstantFolding().apply(model.graph());
            fp32 = ModelSize.of(model.graph()).fp32Bytes();
            List<PortInfo> inputs = model.inputs();
            if (inputs.size() != 1) {
                throw new InferoException("quantize supports single-input models; " + modelFile + " has "
                        + inputs.size() + " inputs");
            }
            input = inputs.getFirst();
        }
        QuantizationParameters p = cfg.parameters();
        long start = System.nanoTime();
        // Proven writable before calibration, not after it (the dated sub-folder is made when the IR is written).
        OutputFolder.prepare(outputDir, "--output-dir");
        Path dir = Quantizer.outputFolder(outputDir, directDump, cfg.modelName());
        // A dynamic input (an MXNet symbol or a Caffe/ONNX model without sizes) takes each image at its own size:
        // right for a fully convolutional model, wrong for one that flattens into a fully connected layer.
        String dynamicHint = input.shape().isStatic() ? null : "input '" + input.name() + "' has dynamic shape "
                + input.shape() + ", so images were read at their own size; give the model a static input shape first"
                + " (infero convert -m " + modelFile + " --input_shape [...])";
        if (dynamicHint != null) {
            out.println("[ WARNING ] " + dynamicHint);
            out.flush();
        }
        List<Tensor> samples = CalibrationData.load(cfg.dataSource(), input, SampleFiles.reader(),
                p.statSubsetSize(), p.shuffleData(), p.seed(), log);
        Quantizer.Result r;
        try {
            r = Quantizer.quantize(modelFile, samples, p, dir, cfg.modelName() + "_int8", cfg.sourceText(), log);
        } catch (InferoException e) {
            if (dynamicHint == null) {
                throw e;
            }
            throw new InferoException(e.getMessage() + " (" + dynamicHint + ")", e);
        }
        out.printf(Locale.ROOT, "[ INFO ] Preset %s, %d calibration samples, %d layers quantized, %d FakeQuantize,"
                        + " %d biases corrected%n", p.preset().potName(), samples.size(), r.quantizedLayers(),
                r.fakeQuantizes(), r.biasesCorrected());
        if (fp32 > 0) {
            out.printf(Locale.ROOT, "[ INFO ] Weights: %,d bytes as FP32 -> %,d bytes of INT8 IR .bin (%s)%n", fp32,
                    r.binBytes(), ModelSize.sizeChange(fp32, r.binBytes()));
        }
        out.println("[ SUCCESS ] XML file: " + r.xml().toAbsolutePath());
        out.println("[ SUCCESS ] BIN file: " + r.bin().toAbsolutePath());
        if (format.equals("onnx")) {
            Path onnx = dir.resolve(cfg.modelName() + "_int8.onnx");
            OnnxExporter.write(IrReader.read(r.xml()), onnx);
            out.println("[ SUCCESS ] ONNX file (QDQ): " + onnx.toAbsolutePath());
        }
        if (htmlReport != null) {
            List<Tensor[]> compared = samples.subList(0, Math.min(32, samples.size())).stream()
                    .map(t -> new Tensor[] {t}).toList();
            var drift = ModelComparison.compare(modelFile, r.xml(), compared, true, null);
            SectionReports.drift(htmlReport, "Infero quantize: " + r.xml().getFileName(), modelFile, r.xml(), drift,
                    List.of(samples.size() + " calibration samples from " + cfg.dataSource() + "; drift measured on "
                            + compared.size() + " of them (calibration data: an optimistic estimate)"),
                    List.of("infero quantize " + String.join(" ", spec.commandLine().getParseResult().originalArgs()),
                            "infero compare " + modelFile + " " + r.xml() + " -i " + cfg.dataSource() + " -n "
                                    + compared.size() + " --per-layer"));
            out.println("[ SUCCESS ] HTML report: " + htmlReport.toAbsolutePath());
        }
        out.printf(Locale.ROOT, "[ SUCCESS ] Total time: %.1f seconds.%n", (System.nanoTime() - start) / 1e9);
        return 0;
    }

    /**
     * The {@code accuracy_checker} engine: calibration samples come from the Accuracy Checker dataset (preprocessed as
     * it says); AccuracyAwareQuantization also measures the metric there.
     */
    private int withAccuracyChecker(PotConfig cfg, PrintWriter out, PrintStream log) throws IOException {
        AccuracyConfig ac = AccuracyConfig.read(cfg.accuracyConfig(), true);
        AccuracyConfig.ModelSpec spec = ac.models().getFirst();
        AccuracyConfig.LauncherSpec launcher = spec.launchers().getFirst();
        AccuracyConfig.DatasetSpec dataset = spec.datasets().getFirst();
        QuantizationParameters p = cfg.parameters();
        long start = System.nanoTime();
        PrintStream progress = System.console() != null ? log : null;
        OutputFolder.prepare(outputDir, "--output-dir");
        Path dir = Quantizer.outputFolder(outputDir, directDump, cfg.modelName(), cfg.algorithm());
        String name = cfg.modelName() + "_int8";
        Path xml;
        long bin;
        try (Core core = new Core()) {
            if (cfg.isAccuracyAware()) {
                AccuracyAwareQuantization.Result r = AccuracyAwareQuantization.run(core, cfg.model(), launcher,
                        dataset, p, cfg.accuracyAware(), dir, name, cfg.sourceText(), line -> {
                            out.println(line);
                            out.flush();
                        }, progress);
                xml = r.xml();
                bin = r.binBytes();
                out.printf(Locale.ROOT, "[ INFO ] %s: FP32 %s, DefaultQuantization %s, result %s with %d of %d"
                                + " groups in FP32%n", r.metric(), pct(r.fp32Metric()), pct(r.defaultMetric()),
                        pct(r.finalMetric()), r.reverted().size(), r.groups());
                for (var g : r.reverted()) {
                    out.println("[ INFO ] Kept in FP32: " + String.join(", ", g.layers()));
                }
                if (!r.withinBudget()) {
                    out.printf(Locale.ROOT, "[ WARNING ] maximal_drop %s not reached: the model written drops %s%n",
                            cfg.accuracyAware().maximalDrop(), r.finalDrop());
                }
                out.println("[ SUCCESS ] Report: " + r.report().toAbsolutePath());
            } else {
                var input = AccuracyChecker.imageInput(core.readModel(cfg.model()).inputs(), launcher);
                AccuracyChecker.Prepared data = AccuracyChecker.prepare(dataset, input);
                int n = p.statSubsetSize() <= 0 ? data.size() : Math.min(p.statSubsetSize(), data.size());
                List<Tensor> samples = new java.util.ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    samples.add(data.input((int) ((long) i * data.size() / n)));
                }
                Quantizer.Result r = Quantizer.quantize(cfg.model(), samples, p, dir, name, cfg.sourceText(), log);
                xml = r.xml();
                bin = r.binBytes();
                out.printf(Locale.ROOT, "[ INFO ] Preset %s, %d calibration samples from %s, %d layers quantized%n",
                        p.preset().potName(), n, dataset.dataset().name(), r.quantizedLayers());
            }
        }
        out.printf(Locale.ROOT, "[ INFO ] Weights: %,d bytes INT8%n", bin);
        out.println("[ SUCCESS ] XML file: " + xml.toAbsolutePath());
        out.printf(Locale.ROOT, "[ SUCCESS ] Total time: %.1f seconds.%n", (System.nanoTime() - start) / 1e9);
        return 0;
    }

    private static String pct(double v) {
        return String.format(Locale.ROOT, "%.2f%%", 100 * v);
    }

    private PotConfig configFromFile() {
        if (model != null || data != null) {
            throw new InferoException("-c/--config describes the model and data; do not also give -m or --data");
        }
        try {
            return PotConfigParser.read(config);
        } catch (PotConfigParser.ConfigException e) {
            throw new InferoException(config + ": " + e.getMessage());
        }
    }

    private PotConfig configFromOptions() {
        if (model == null || data == null) {
            throw new InferoException("give either -c CONFIG, or -m MODEL and --data DIR");
        }
        Preset pr = switch (preset.toLowerCase(Locale.ROOT)) {
            case "performance" -> Preset.PERFORMANCE;
            case "mixed" -> Preset.MIXED;
            default -> throw new InferoException("--preset: expected performance or mixed, got " + preset);
        };
        RangeEstimator re = switch (rangeEstimator.toLowerCase(Locale.ROOT)) {
            case "default", "minmax", "min_max" -> RangeEstimator.MIN_MAX;
            case "quantile" -> RangeEstimator.QUANTILE;
            default -> throw new InferoException("--range-estimator: expected default or quantile, got "
                    + rangeEstimator);
        };
        if (subsetSize < 0) {
            throw new InferoException("--subset-size must be 0 (all) or positive, got " + subsetSize);
        }
        QuantizationParameters p = QuantizationParameters.defaults().withPreset(pr).withStatSubsetSize(subsetSize)
                .withShuffle(shuffle, seed).withRangeEstimator(re).withFastBiasCorrection(!noBiasCorrection)
                .withIgnored(ignoredScope, ignoredTypes);
        String file = model.getFileName().toString();
        String base = file.contains(".") ? file.substring(0, file.lastIndexOf('.')) : file;
        Path weights = file.toLowerCase(Locale.ROOT).endsWith(".xml") ? model.resolveSibling(base + ".bin") : model;
        return new PotConfig(name != null ? name : base, model, weights, data, "CPU", p, null);
    }
}
