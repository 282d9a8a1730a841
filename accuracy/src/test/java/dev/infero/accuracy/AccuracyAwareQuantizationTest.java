package dev.infero.accuracy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infero.api.CompiledModel;
import dev.infero.api.Core;
import dev.infero.api.InferRequest;
import dev.infero.api.io.ImageInput;
import dev.infero.core.graph.Graph;
import dev.infero.core.graph.Node;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.ir.IrReader;
import dev.infero.onnx.OnnxModelBuilder;
import dev.infero.quantize.AccuracyAwareParameters;
import dev.infero.quantize.QuantizationParameters;
import dev.infero.quantize.QuantizationSession;
import dev.infero.testing.RandomData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A model built to quantize badly in two places: one channel of conv2's input and one channel of fc's input are a
 * thousand times larger than the others (and barely used), so a per-tensor INT8 range zeroes every other channel.
 * DefaultQuantization misses a 2-point budget by far; AccuracyAwareQuantization must find and revert exactly those
 * groups and land within the budget, and with one iteration allowed say it cannot and still write its best model.
 */
class AccuracyAwareQuantizationTest {
    static final int SIZE = 12;
    static final int SAMPLES = 60;

    @TempDir
    static Path dir;
    static Path model;
    static AccuracyConfig.DatasetSpec dataset;
    static AccuracyConfig.LauncherSpec launcher;

    @BeforeAll
    static void build() {
        Random rnd = new Random(11);
        float[] w1 = RandomData.normalValues(rnd, 0.01f, 8 * 3 * 3 * 3);
        for (int i = 7 * 27; i < 8 * 27; i++) {
            w1[i] = Math.abs(w1[i]) * 1000;   // channel 7 of conv1's output: huge, always positive
        }
        float[] w2 = RandomData.normalValues(rnd, 0.3f, 8 * 8);
        for (int o = 0; o < 8; o++) {
            w2[o * 8 + 7] = 1e-7f;            // ... and barely read by conv2
        }
        for (int i = 0; i < 8; i++) {
            w2[7 * 8 + i] = Math.abs(w2[7 * 8 + i]) * 1000;   // conv2's output channel 7: huge too
        }
        float[] wf = RandomData.normalValues(rnd, 0.5f, 10 * 8);
        for (int c = 0; c < 10; c++) {
            wf[c * 8 + 7] = 1e-7f;            // ... and barely read by fc
        }
        OnnxModelBuilder b = new OnnxModelBuilder("fragile", 17)
                .input("x", ElementType.F32, 1, 3, SIZE, SIZE)
                .output("scores", ElementType.F32, 1, 10)
                .initializer("w1", Tensor.of(w1, 8, 3, 3, 3)).initializer("b1", RandomData.normal(rnd, 0.1f, 8))
                .initializer("w2", Tensor.of(w2, 8, 8, 1, 1)).initializer("b2", RandomData.normal(rnd, 0.1f, 8))
                .initializer("wf", Tensor.of(wf, 10, 8)).initializer("bf", RandomData.normal(rnd, 0.1f, 10));
        b.node("Conv", "conv1").inputs("x", "w1", "b1").outputs("c1").attr("pads", 1, 1, 1, 1);
        b.node("Relu", "relu1").inputs("c1").outputs("r1");
        b.node("Conv", "conv2").inputs("r1", "w2", "b2").outputs("c2");
        b.node("Relu", "relu2").inputs("c2").outputs("r2");
        b.classifierHead("r2", "wf", "bf", "scores");
        model = dir.resolve("fragile.onnx");
        b.write(model);

        // Images, labelled with the FP32 model's own answers: FP32 scores 100 %, INT8 is measured against it.
        List<Sample> samples = new ArrayList<>();
        try (Core core = new Core(); CompiledModel compiled = core.compileModel(model, "CPU")) {
            InferRequest request = compiled.createInferRequest();
            for (int s = 0; s < SAMPLES; s++) {
                float[][] rgb = new float[3][SIZE * SIZE];
                for (float[] plane : rgb) {
                    // A level per channel and a gradient: the classes the FP32 model gives vary between images.
                    float level = rnd.nextFloat() * 255;
                    float slope = (rnd.nextFloat() - 0.5f) * 30;
                    for (int i = 0; i < plane.length; i++) {
                        plane[i] = Math.clamp(level + slope * (i % SIZE - SIZE / 2f) + rnd.nextInt(20), 0, 255);
                    }
                }
                ImageInput.Planes planes = new ImageInput.Planes(SIZE, SIZE, rgb);
                request.setInput(0, Preprocessor.none().apply(planes, ElementType.F32,
                        compiled.inputs().getFirst().shape()).input());
                request.infer();
                float[] scores = request.getOutput(0).toFloatArray();
                int best = 0;
                for (int i = 1; i < scores.length; i++) {
                    best = scores[i] > scores[best] ? i : best;
                }
                samples.add(new Sample("synthetic#" + s, () -> planes, new Annotation.Label(best)));
            }
        }
        dataset = new AccuracyConfig.DatasetSpec(new Dataset("synthetic", samples, List.of()), Preprocessor.none(),
                List.of(new AccuracyConfig.MetricSpec(Metrics.accuracy("accuracy@top1", 1), null, null)),
                "datasets[0]", null);
        launcher = new AccuracyConfig.LauncherSpec("onnx", model, null, Adapters.classification(null), "CPU", null,
                "launchers[0]");
    }

    private static AccuracyAwareQuantization.Result run(AccuracyAwareParameters ap, String name, StringBuilder log) {
        try (Core core = new Core()) {
            return AccuracyAwareQuantization.run(core, model, launcher, dataset,
                    QuantizationParameters.defaults().withStatSubsetSize(30), ap, dir.resolve(name), name, null, line -> log.append(line).append('\n'), null);
        }
    }

    @Test
    void revertsTheLayersThatQuantizeBadlyUntilTheDropFitsTheBudget() throws Exception {
        StringBuilder text = new StringBuilder();
        AccuracyAwareQuantization.Result r = run(AccuracyAwareParameters.defaults().withMaximalDrop(0.02), "aaq",
                text);
        String log = text.toString();
        assertEquals(1.0, r.fp32Metric(), 1e-9);
        assertTrue(r.defaultDrop() > 0.2, "DefaultQuantization should miss the budget by far: " + r.defaultDrop());
        assertTrue(r.withinBudget(), log);
        assertTrue(r.finalDrop() <= 0.02, log);
        List<String> reverted = r.reverted().stream().flatMap(g -> g.layers().stream()).toList();
        assertTrue(reverted.stream().anyMatch(n -> n.contains("conv2")), "conv2 reverted: " + reverted);
        assertTrue(reverted.stream().anyMatch(n -> n.contains("fc")), "fc reverted: " + reverted);
        assertFalse(reverted.stream().anyMatch(n -> n.contains("conv1")), "conv1 quantizes well: " + reverted);
        assertTrue(log.contains("Iteration 1: reverted"), log);

        // The IR written: conv1 still reads a FakeQuantize and INT8 weights, conv2 reads FP32 as in the original.
        Graph g = IrReader.read(r.xml());
        Node conv1 = find(g, "conv1");
        Node conv2 = find(g, "conv2");
        assertEquals("FakeQuantize", conv1.input(0).node().type());
        assertFalse(conv2.input(0).node().type().equals("FakeQuantize"));
        assertTrue(Files.readString(r.report()).contains("\"within_budget\" : true"));
    }

    @Test
    void anUnreachableBudgetIsStatedAndTheBestModelStillWritten() throws Exception {
        StringBuilder text = new StringBuilder();
        AccuracyAwareParameters ap = new AccuracyAwareParameters(0.0, false, 300, 1, true, 0.5);
        AccuracyAwareQuantization.Result r = run(ap, "aaq1", text);
        assertFalse(r.withinBudget());
        assertTrue(r.finalDrop() > 0 && r.finalDrop() <= r.defaultDrop(), r.finalDrop() + " vs " + r.defaultDrop());
        assertTrue(text.toString().contains(String.format(java.util.Locale.ROOT,
                "The budget of 0.00 points cannot be met: the best model found (%d groups in FP32) drops %.2f points",
                r.reverted().size(), 100 * r.finalDrop())), text.toString());
        assertTrue(Files.isRegularFile(r.xml()));
        assertEquals(2, r.iterations().size());
    }

    @Test
    void groupsJoinLayersSharingAQuantizer() {
        try (Core core = new Core(); QuantizationSession s = QuantizationSession.calibrate(core, model,
                List.of(Tensor.of(new float[3 * SIZE * SIZE], 1, 3, SIZE, SIZE)), QuantizationParameters.defaults(),
                null)) {
            assertEquals(3, s.groups().size(), s.groups().toString());
        }
    }

    private static Node find(Graph g, String name) {
        return g.nodes().stream().filter(n -> n.type().equals("Convolution") && n.name().contains(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + name));
    }
}
