package dev.infero.cli.benchmark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infero.cli.Main;
import dev.infero.api.io.Npy;
import dev.infero.core.device.PerformanceHint;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.core.types.PartialShape;
import dev.infero.onnx.OnnxModelBuilder;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Option parsing and validation, and whole runs on a tiny model. */
class BenchmarkCommandTest {
    @TempDir
    Path dir;
    Path model;

    @BeforeEach
    void writeModel() {
        model = tinyModel("tiny.onnx", 1, 3, 4, 4);
    }

    /** y = (x + 1) * 2, with a dynamic first dimension when a dim is -1. */
    private Path tinyModel(String name, long... dims) {
        Path file = dir.resolve(name);
        OnnxModelBuilder b = new OnnxModelBuilder("tiny", 17)
                .input("x", ElementType.F32, dims)
                .initializer("one", Tensor.of(new float[] {1}, 1))
                .initializer("two", Tensor.of(new float[] {2}, 1))
                .output("y", ElementType.F32);
        b.node("Add", "add").inputs("x", "one").outputs("t");
        b.node("Mul", "mul").inputs("t", "two").outputs("y");
        b.write(file);
        return file;
    }

    private BenchmarkOptions parse(String... args) {
        BenchmarkCommand command = new BenchmarkCommand();
        new CommandLine(command).parseArgs(args);
        return command.options();
    }

    private String usageError(String... args) {
        return assertThrows(IllegalArgumentException.class, () -> parse(args)).getMessage();
    }

    /** Output, error output and exit code of {@code infero benchmark ...}. */
    private record Run(int exitCode, String out, String err) {
    }

    private Run benchmark(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            String[] full = new String[args.length + 1];
            full[0] = "benchmark";
            System.arraycopy(args, 0, full, 1, args.length);
            int code = Main.execute(full);
            return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    @Test
    void defaultsFollowBenchmarkApp() {
        BenchmarkOptions o = parse("-m", model.toString());
        assertEquals("CPU", o.device());
        assertEquals(PerformanceHint.THROUGHPUT, o.hint());
        assertTrue(o.async(), "throughput runs asynchronously");
        assertEquals(0, o.iterations());
        assertEquals(0, o.durationSeconds(), "0: the device default (60 s) applies");
        assertTrue(o.warnings().getFirst().contains("performance hint will be set to THROUGHPUT"));
        assertEquals(50, o.latencyPercentile());
        assertFalse(o.writesReports());
    }

    @Test
    void latencyHintRunsSyncAndOptionsMapToDeviceProperties() {
        BenchmarkOptions o = parse("-m", model.toString(), "-hint", "latency", "-nthreads", "2", "-pc");
        assertFalse(o.async());
        assertEquals(Map.of("PERFORMANCE_HINT", "LATENCY", "INFERENCE_NUM_THREADS", "2", "PERF_COUNT", "YES"),
                o.deviceConfig());
        BenchmarkOptions tput = parse("-m", model.toString(), "-hint", "tput", "-nstreams", "2", "-api", "sync");
        assertFalse(tput.async());
        assertEquals("2", tput.deviceConfig().get("NUM_STREAMS"));
    }

    @Test
    void perInputShapesAndLayoutsAreParsed() {
        BenchmarkOptions o = parse("-m", model.toString(), "-shape", "x[1,3,8,8]", "-layout", "x[nchw]",
                "-data_shape", "[2,3,8,8]");
        assertEquals(PartialShape.of(1, 3, 8, 8), o.shapes().get("x"));
        assertEquals("NCHW", o.layouts().get("x"));
        assertEquals(4, o.dataShapes().get("").length);
        assertEquals(PartialShape.of(PartialShape.DYNAMIC, 3), parse("-m", model.toString(), "-shape", "[?,3]")
                .shapes().get(""));
        assertEquals(2, PerInputArgument.parse("-shape", "a[1,2],b[3]").size());
    }

    @Test
    void reportTypeImpliesCounters() {
        BenchmarkOptions o = parse("-m", model.toString(), "-report_type", "detailed_counters", "-report_folder",
                dir.toString());
        assertEquals(ReportType.DETAILED_COUNTERS, o.reportType());
        assertTrue(o.perfCounters());
    }

    @Test
    void rejectsMalformedAndContradictoryOptions() {
        String m = model.toString();
        assertEquals("-api must be sync or async, got 'fast'", usageError("-m", m, "-api", "fast"));
        assertEquals("-hint must be latency, throughput or none, got 'quick'", usageError("-m", m, "-hint", "quick"));
        assertEquals("-nireq 4 needs -api async: the sync API runs one request",
                usageError("-m", m, "-api", "sync", "-nireq", "4"));
        assertTrue(usageError("-m", m, "-hint", "latency", "-nstreams", "4").contains("contradicts -hint latency"));
        assertEquals("-nstreams must be a positive number or AUTO, got '0'", usageError("-m", m, "-nstreams", "0"));
        assertEquals("-niter must not be negative, got -5", usageError("-m", m, "-niter", "-5"));
        assertTrue(usageError("-m", m, "-report_type", "all").startsWith("-report_type must be no_counters"));
        assertTrue(usageError("-m", m, "-report_type", "average_counters").contains("needs -report_folder"));
        assertTrue(usageError("-m", m, "-m", m, "-exec_graph_path", "g.xml").contains("takes one model"));
        assertTrue(usageError("-m", m, "-exec_graph_path", "g.txt").contains("must name an .xml file"));
        assertTrue(usageError("-m", m, "-shape", "1,3,224,224").contains("must look like [1,3,224,224]"));
        assertTrue(usageError("-m", m, "-data_shape", "[1,?]").contains("data shapes must be concrete"));
        assertTrue(usageError("-m", m, "-layout", "[NCHN]").contains("is not a layout"));
        assertTrue(usageError("-m", m, "-latency_percentile", "0").contains("1..100"));
        assertTrue(usageError("-m", dir.resolve("missing.onnx").toString()).contains("does not exist"));
        assertTrue(usageError("-m", m, "-i", dir.resolve("nothing").toString()).contains("does not exist"));
    }

    @Test
    void usageErrorsExitWith2() {
        Run unknown = benchmark("-m", model.toString(), "-nosuchoption");
        assertEquals(2, unknown.exitCode());
        assertTrue(unknown.err().contains("Unknown option: '-nosuchoption'"), unknown.err());
        Run contradictory = benchmark("-m", model.toString(), "-api", "sync", "-nireq", "2");
        assertEquals(2, contradictory.exitCode());
        assertTrue(contradictory.err().contains("needs -api async"), contradictory.err());
        Run badInput = benchmark("-m", model.toString(), "-shape", "y[1,3,4,4]", "-niter", "1");
        assertEquals(2, badInput.exitCode());
        assertTrue(badInput.err().contains("-shape names 'y', which is not an input"), badInput.err());
        Run dynamic = benchmark("-m", tinyModel("dyn.onnx", -1, 3).toString(), "-niter", "1");
        assertEquals(2, dynamic.exitCode());
        assertTrue(dynamic.err().contains("give its size with -shape or -data_shape"), dynamic.err());
        Run staticData = benchmark("-m", model.toString(), "-data_shape", "[1,3,4,4]", "-niter", "1");
        assertEquals(2, staticData.exitCode());
        assertTrue(staticData.err().contains("-data_shape is for models with dynamic inputs"), staticData.err());
        Run noDevice = benchmark("-m", model.toString(), "-d", "GPU", "-niter", "1");
        assertEquals(2, noDevice.exitCode());
        assertTrue(noDevice.err().contains("-d GPU: no such device"), noDevice.err());
    }

    @Test
    void threadStreamAndRequestCountsOutOfRangeAreOneErrorNamingTheOption() {
        int max = 16 * Runtime.getRuntime().availableProcessors();
        Run threads = benchmark("-m", model.toString(), "-nthreads", "100000", "-niter", "1");
        assertEquals(1, threads.exitCode());
        assertTrue(threads.err().startsWith("error: -nthreads is 100000, more than 16 per core (" + max),
                threads.err());
        Run streams = benchmark("-m", model.toString(), "-hint", "throughput", "-nstreams", "100000", "-niter", "1");
        assertEquals(1, streams.exitCode());
        assertTrue(streams.err().startsWith("error: -nstreams is 100000"), streams.err());
        Run requests = benchmark("-m", model.toString(), "-nireq", "100000", "-niter", "1");
        assertEquals(1, requests.exitCode());
        assertTrue(requests.err().startsWith("error: -nireq is 100000, more than 1024"), requests.err());
        assertEquals(1, threads.err().lines().count(), "one line, no stack trace: " + threads.err());
    }

    @Test
    void syncRunPrintsTheStepsAndTheFinalBlock() {
        Run r = benchmark("-m", model.toString(), "-api", "sync", "-niter", "50", "-hint", "latency");
        assertEquals(0, r.exitCode(), r.err());
        for (int step = 1; step <= 11; step++) {
            assertTrue(r.out().contains("[Step " + step + "/11] "), "step " + step + "\n" + r.out());
        }
        assertTrue(r.out().contains("[Step 10/11] Measuring performance (Start inference synchronously, 1 inference "
                + "requests using 1 streams for CPU, limits: 50 iterations)"), r.out());
        assertTrue(r.out().contains("First inference took "), r.out());
        assertTrue(r.out().contains("Count:            50 iterations"), r.out());
        assertTrue(r.out().contains("Median:"), r.out());
        assertTrue(r.out().contains("Throughput:"), r.out());
        assertTrue(r.out().contains("random values"), r.out());
        assertTrue(r.out().contains("CPU features: "), r.out());
        assertTrue(r.out().contains("Kernel vector width: "), r.out());
    }

    @Test
    void asyncRunWithStreamsCountersAndReports() throws IOException {
        Path reports = dir.resolve("reports");
        Path graph = dir.resolve("exec/tiny_exec.xml");
        Run r = benchmark("-m", model.toString(), "-hint", "throughput", "-nstreams", "2", "-nireq", "3", "-niter",
                "100", "-pc", "-report_type", "average_counters", "-report_folder", reports.toString(), "-json_stats",
                "-exec_graph_path", graph.toString(), "-progress");
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().contains("Number of iterations was aligned by request number from 100 to 102"), r.out());
        assertTrue(r.out().contains("Count:            102 iterations"), r.out());
        assertTrue(r.out().contains("Start inference asynchronously, 3 inference requests using 2 streams"), r.out());
        assertTrue(r.out().contains("Performance counts for 2-th infer request"), r.out());
        assertTrue(r.out().contains("Time by layer type"), r.out());
        assertTrue(r.err().contains("100%"), "progress bar on stderr: " + r.err());
        assertTrue(Files.readString(reports.resolve("benchmark_report.csv")).contains("total number of iterations;102"));
        String counters = Files.readString(reports.resolve("benchmark_average_counters_report.csv"));
        // The model's Multiply → Add by constants runs as one fused element-wise chain step, named after its last op.
        assertTrue(counters.contains("add;EXECUTED;Add;eltwise_chain_"), counters);
        assertTrue(counters.contains("mul;OPTIMIZED_OUT;Multiply;fused_into:add"), counters);
        assertTrue(Files.exists(reports.resolve("benchmark_report.json")));
        assertTrue(Files.exists(reports.resolve("benchmark_average_counters_report.json")));
        String xml = Files.readString(graph);
        assertTrue(xml.contains("name=\"execType\" version=\"0\" value=\""), xml);
        assertTrue(Files.exists(dir.resolve("exec/tiny_exec.bin")));
    }

    @Test
    void severalModelsGiveOneComparisonTable() throws IOException {
        Path second = tinyModel("tiny_b2.onnx", 2, 3, 4, 4);
        Run r = benchmark("-m", model.toString(), "-m", second.toString(), "-niter", "20", "-nireq", "2",
                "-report_folder", dir.resolve("cmp").toString());
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().contains("Model 2/2: " + second), r.out());
        assertTrue(r.out().contains("Comparison (ratio = throughput / throughput of the first model):"), r.out());
        assertTrue(r.out().matches("(?s).*tiny\\.onnx\\s+FP32\\s+.*1\\.00x.*"), r.out());
        assertTrue(Files.exists(dir.resolve("cmp/benchmark_report_tiny.csv")));
        assertTrue(Files.exists(dir.resolve("cmp/benchmark_report_tiny_b2.csv")));
        assertTrue(Files.readString(dir.resolve("cmp/benchmark_comparison.csv")).startsWith("model;precision;"));
    }

    @Test
    void theOnnxRuntimeDeviceRunsTheSameBenchmark() {
        Run r = benchmark("-m", model.toString(), "-d", "ORT", "-niter", "20", "-nstreams", "2");
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().contains("Available devices: CPU, ORT"), r.out());
        assertTrue(r.out().contains("Execution Devices: [ORT (ONNX Runtime CPU)]"), r.out());
        assertTrue(r.out().contains("Count:            20 iterations"), r.out());
    }

    @Test
    void compareWithAPeerDeviceGivesOneRowPerModelAndThreadCount() throws IOException {
        Path second = tinyModel("tiny_b2.onnx", 2, 3, 4, 4);
        Path reports = dir.resolve("peer");
        Run r = benchmark("-m", model.toString(), "-m", second.toString(), "--compare-with", "ort", "--threads",
                "1,2", "-niter", "10", "-report_folder", reports.toString(), "-json_stats");
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().contains("CPU vs ORT: median latency, sync, 5 alternating rounds per side"), r.out());
        assertTrue(r.out().matches("(?s).*\\| tiny\\.onnx +\\| +1 \\| +\\d+\\.\\d\\d \\| +\\d+\\.\\d\\d \\| +\\d+\\.\\d\\d \\|.*"),
                r.out());
        assertTrue(r.out().matches("(?s).*\\| tiny_b2\\.onnx +\\| +2 \\|.*"), r.out());
        String csv = Files.readString(reports.resolve("peer_comparison.csv"));
        assertEquals(5, csv.lines().count(), csv);
        assertTrue(csv.startsWith("model;threads;CPU median (ms);ORT median (ms);ratio;CPU count;ORT count"), csv);
        assertTrue(csv.lines().skip(1).allMatch(l -> l.contains(";10;10;the ONNX file ")), "10 iterations per side: " + csv);
        assertTrue(Files.readString(reports.resolve("peer_comparison.json")).contains("\"ratio\": "));
    }

    /** The test's ONNX model written as IR {@code name}.xml/.bin in the test folder. */
    private Path asIr(String name) throws IOException {
        try (dev.infero.api.Core core = new dev.infero.api.Core()) {
            return dev.infero.ir.IrWriter.write(core.readModel(model).graph(), dir, name).xml();
        }
    }

    @Test
    void compareWithRunsAnIrModelsOnnxTwinOnThePeer() throws IOException {
        // As quantize --format onnx writes NAME_int8.xml and its QDQ export NAME_int8.onnx side by side.
        Path xml = asIr("twin");
        Files.copy(model, dir.resolve("twin.onnx"));
        Run r = benchmark("-m", xml.toString(), "--compare-with", "ORT", "--threads", "1", "-niter", "5");
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().contains("twin.xml, 1 thread(s): CPU vs ORT (on twin.onnx)"), r.out());
        assertTrue(r.out().matches("(?s).*\\| twin\\.xml +\\| +1 \\|.*"), r.out());
    }

    @Test
    void compareWithRunsAnIrModelWithoutTwinAsItsOnnxExportReshapedByMinusShape() throws IOException {
        Path xml = asIr("alone");
        Path reports = dir.resolve("exported");
        // Both sides run the reshaped graph (the peer its export), so even a static dimension can change.
        Run r = benchmark("-m", xml.toString(), "--compare-with", "ORT", "--threads", "1", "-niter", "5",
                "-shape", "[1,3,8,8]", "-report_folder", reports.toString(), "-json_stats");
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().contains("ORT runs the model exported to ONNX opset 18"), r.out());
        assertTrue(r.out().matches("(?s).*\\| alone\\.xml +\\| +1 \\|.*"), r.out());
        assertTrue(Files.readString(reports.resolve("peer_comparison.json"))
                .contains("\"ORT runs\": \"the model exported to ONNX opset 18\""));
    }

    @Test
    void compareWithGivesBothDevicesTheShapeOfMinusShape() {
        Path dynamic = tinyModel("dyn.onnx", 1, 3, -1, -1);
        Run r = benchmark("-m", dynamic.toString(), "--compare-with", "ORT", "--threads", "1", "-niter", "5",
                "-shape", "x[1,3,6,5]");
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().matches("(?s).*\\| dyn\\.onnx +\\| +1 \\| +\\d+\\.\\d\\d \\|.*"), r.out());
        Run without = benchmark("-m", dynamic.toString(), "--compare-with", "ORT", "--threads", "1", "-niter", "5");
        assertEquals(2, without.exitCode());
        assertTrue(without.err().contains("give it one with -shape, e.g. -shape x[1,3,1,1]"), without.err());
        Run partial = benchmark("-m", dynamic.toString(), "--compare-with", "ORT", "-niter", "5", "-shape",
                "x[1,3,?,5]");
        assertEquals(2, partial.exitCode());
        assertTrue(partial.err().contains("--compare-with needs concrete sizes"), partial.err());
        // The peer runs the file as it is: a static dimension cannot change.
        Run misfit = benchmark("-m", dynamic.toString(), "--compare-with", "ORT", "-niter", "5", "-shape",
                "[2,3,6,5]");
        assertEquals(2, misfit.exitCode());
        assertTrue(misfit.err().contains("-shape can only give sizes to dynamic dimensions"), misfit.err());
        Run unknown = benchmark("-m", dynamic.toString(), "--compare-with", "ORT", "-niter", "5", "-shape",
                "y[1,3,6,5]");
        assertEquals(2, unknown.exitCode());
        assertTrue(unknown.err().contains("-shape names 'y', which is not an input of"), unknown.err());
    }

    /** conv1 (3x3, 8→16) → relu1 → conv2 (3x3) → add (residual) → relu2 → pool, every node named. */
    private Path convModel(String name) {
        return convModel(name, false);
    }

    /**
     * {@link #convModel(String)}, or with {@code pytorchLegacy} as older PyTorch exports write it: no node named, the
     * weights listed among the graph inputs too (ONNX Runtime then folds nothing and names nodes by op and index).
     */
    private Path convModel(String name, boolean pytorchLegacy) {
        Path file = dir.resolve(name);
        java.util.Random random = new java.util.Random(7);
        float[] w1 = new float[16 * 8 * 9];
        float[] w2 = new float[16 * 16 * 9];
        for (float[] w : new float[][] {w1, w2}) {
            for (int i = 0; i < w.length; i++) {
                w[i] = random.nextFloat() - 0.5f;
            }
        }
        OnnxModelBuilder b = new OnnxModelBuilder("convnet", 17)
                .input("x", ElementType.F32, 1, 8, 48, 48)
                .initializer("w1", Tensor.of(w1, 16, 8, 3, 3))
                .initializer("w2", Tensor.of(w2, 16, 16, 3, 3))
                .output("y", ElementType.F32);
        if (pytorchLegacy) {
            b.input("w1", ElementType.F32, 16, 8, 3, 3).input("w2", ElementType.F32, 16, 16, 3, 3);
        }
        java.util.function.UnaryOperator<String> named = n -> pytorchLegacy ? "" : n;
        b.node("Conv", named.apply("conv1")).inputs("x", "w1").outputs("c1").attrInts("pads", 1, 1, 1, 1);
        b.node("Relu", named.apply("relu1")).inputs("c1").outputs("r1");
        b.node("Conv", named.apply("conv2")).inputs("r1", "w2").outputs("c2").attrInts("pads", 1, 1, 1, 1);
        b.node("Add", named.apply("add")).inputs("c2", "r1").outputs("s");
        b.node("Relu", named.apply("relu2")).inputs("s").outputs("r2");
        b.node("GlobalAveragePool", named.apply("pool")).inputs("r2").outputs("y");
        b.write(file);
        return file;
    }

    @Test
    void perLayerComparisonMatchesTheLayersOfBothDevices() throws IOException {
        Path conv = convModel("convnet.onnx");
        Path reports = dir.resolve("layers");
        Run r = benchmark("-m", conv.toString(), "--compare-with", "ORT", "-pc", "--threads", "1", "-niter", "20",
                "-report_folder", reports.toString(), "-json_stats");
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().contains("convnet.onnx, 1 thread(s): per layer, CPU vs ORT"), r.out());
        assertTrue(r.out().contains("through the peer's optimized graph"), r.out());
        // A matched row: CPU layer(s), shape, type, exec type, ORT op, then both times (positive), ratio, gap.
        java.util.regex.Matcher row = java.util.regex.Pattern.compile(
                // Convolution, or Conv: the blocked layout's convolution (cpu.blocked, ONNX Runtime's NCHWc name).
                "\\| conv1 +\\| \\[1,16,48,48] +\\| (?:Convolution|Conv) +\\| [^|]+\\| [^|]*Conv[^|]* \\| +(\\d+\\.\\d+) \\| +"
                        + "(\\d+\\.\\d+) \\| +\\d+\\.\\d\\d \\| +[-+]\\d+\\.\\d+ \\|").matcher(r.out());
        assertTrue(row.find(), r.out());
        assertTrue(Double.parseDouble(row.group(1)) > 0 && Double.parseDouble(row.group(2)) > 0, row.group());
        assertTrue(r.out().contains("by layer type (CPU's type of each group's heaviest layer)"), r.out());
        assertTrue(r.out().contains("[ INFO ] sum of layers: CPU "), r.out());

        var json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(
                reports.resolve("peer_layers.json").toFile());
        var entry = json.get(0);
        assertEquals(conv.toString(), entry.get("model").asText());
        assertTrue(entry.get("groups").size() >= 2, entry.toString());
        for (var g : entry.get("groups")) {
            assertTrue(g.get("CPU ms").asDouble() >= 0 && g.get("ORT ms").asDouble() >= 0, g.toString());
            assertFalse(g.get("CPU layers").isEmpty(), g.toString());
            assertFalse(g.get("ORT nodes").isEmpty(), g.toString());
        }
        var conv1 = java.util.stream.StreamSupport.stream(entry.get("groups").spliterator(), false)
                .filter(g -> g.get("CPU layers").get(0).get("name").asText().equals("conv1")).findFirst().orElseThrow();
        assertTrue(conv1.get("CPU ms").asDouble() > 0 && conv1.get("ORT ms").asDouble() > 0, conv1.toString());
        assertTrue(entry.get("by type").size() >= 1, entry.toString());
        assertTrue(Files.readString(reports.resolve("peer_layers.csv")).startsWith("model;threads;CPU layers;shape;"));
    }

    @Test
    void perLayerComparisonMatchesUnnamedNodesOfALegacyExport() throws IOException {
        Path conv = convModel("legacy.onnx", true);
        Path reports = dir.resolve("legacy-layers");
        Run r = benchmark("-m", conv.toString(), "--compare-with", "ORT", "-pc", "--threads", "1", "-niter", "20",
                "-report_folder", reports.toString(), "-json_stats");
        assertEquals(0, r.exitCode(), r.err());
        var entry = new com.fasterxml.jackson.databind.ObjectMapper().readTree(
                reports.resolve("peer_layers.json").toFile()).get(0);
        // Every layer of both sides matched: Infero's c1 / c2 / y against ORT's FusedConv_6 (conv1 + relu1, a node ORT
        // made and numbered after the model's), Conv_2 + Add_3 + Relu_4 and GlobalAveragePool_5.
        assertEquals(0, entry.get("unmatched").size(), entry.toString());
        assertEquals(3, entry.get("groups").size(), entry.toString());
        java.util.Set<String> ortNodes = new java.util.HashSet<>();
        for (var g : entry.get("groups")) {
            for (var n : g.get("ORT nodes")) {
                ortNodes.add(n.get("name").asText());
            }
        }
        assertTrue(ortNodes.contains("Conv_2") && ortNodes.contains("GlobalAveragePool_5"), entry.toString());
    }

    @Test
    void perLayerComparisonWithAPeerThatIsNotAvailableIsOneError() {
        Run r = benchmark("-m", model.toString(), "--compare-with", "NOPE", "-pc", "--threads", "1", "-niter", "5");
        assertEquals(2, r.exitCode());
        assertTrue(r.err().contains("device NOPE is not available; available: CPU, ORT"), r.err());
        assertFalse(r.err().contains("\tat "), "no stack trace: " + r.err());
    }

    @Test
    void compareWithRefusesOptionsOfASingleDeviceRun() {
        Run async = benchmark("-m", model.toString(), "--compare-with", "ORT", "-api", "async");
        assertEquals(2, async.exitCode());
        assertTrue(async.err().contains("-api async does not go with --compare-with"), async.err());
        Run same = benchmark("-m", model.toString(), "--compare-with", "cpu");
        assertEquals(2, same.exitCode());
        assertTrue(same.err().contains("--compare-with cpu names the device -d already measures"), same.err());
        Run zero = benchmark("-m", model.toString(), "--compare-with", "ORT", "--threads", "1,0");
        assertEquals(2, zero.exitCode());
        assertTrue(zero.err().contains("thread counts must be positive, got 0"), zero.err());
    }

    @Test
    void batchReshapesTheModelAndCountsFrames() {
        Run r = benchmark("-m", model.toString(), "-b", "4", "-niter", "10", "-api", "sync", "-hint", "none");
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().contains("Model batch size: 4"), r.out());
        assertTrue(r.out().contains("x : f32 / [N,C,H,W] / [4,3,4,4]"), r.out());
    }

    @Test
    void dynamicModelsRunWithDataShapes() {
        Run r = benchmark("-m", tinyModel("dyn.onnx", -1, 3).toString(), "-data_shape", "x[5,3]", "-niter", "4",
                "-api", "sync");
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().contains("x : f32 / [N,C] / [5,3]"), r.out());
        assertTrue(r.out().contains("Model batch size: 5"), r.out());
    }

    @Test
    void npyFilesFeedTheInputs() throws IOException {
        Path data = Files.createDirectories(dir.resolve("data"));
        Files.write(data.resolve("a.npy"), Npy.toBytes(Tensor.allocate(ElementType.F32, 1, 3, 4, 4)));
        Run r = benchmark("-m", model.toString(), "-i", data.toString(), "-niter", "3", "-api", "sync");
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().contains("Inputs are filled with 1 file(s) from -i"), r.out());
        assertNull(null);
    }
}
