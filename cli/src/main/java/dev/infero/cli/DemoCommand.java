package dev.infero.cli;

import dev.infero.api.CompiledModel;
import dev.infero.api.Core;
import dev.infero.api.InferRequest;
import dev.infero.api.Model;
import dev.infero.cli.demo.DemoModel;
import dev.infero.core.InferoException;
import dev.infero.core.tensor.Tensor;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.IntStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code infero demo}: builds a small CNN, writes it as ONNX, reads it back and classifies a synthetic image. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Build a small image classifier (a 64x64 MobileNet-like CNN with fixed pseudo-random weights), "
                + "write it as demo.onnx, read it back, run it on a synthetic image and show the top-3 classes and "
                + "timing. Needs no files."})
final class DemoCommand implements Callable<Integer> {
    /** Fixed so that every run of the demo builds the same network. */
    static final long WEIGHT_SEED = 2024;

    @Spec
    CommandSpec spec;

    @Option(names = "--output-dir", paramLabel = "DIR",
            description = "Where to write demo.onnx (default: a new temporary folder).")
    Path outputDir;

    @Option(names = "-n", paramLabel = "N", defaultValue = "20",
            description = "Inference runs to time (default: ${DEFAULT-VALUE}).")
    int iterations;

    @Override
    public Integer call() throws IOException {
        if (iterations < 1) {
            throw new InferoException("-n must be at least 1, got " + iterations);
        }
        PrintWriter out = spec.commandLine().getOut();
        Path dir = outputDir != null ? outputDir : Files.createTempDirectory("infero-demo");
        Path file = dir.resolve("demo.onnx");
        DemoModel.build(WEIGHT_SEED).write(file);
        out.println("Wrote " + file);
        try (Core core = new Core()) {
            Model model = core.readModel(file);
            ModelSize size = ModelSize.of(model.graph());
            out.printf(Locale.ROOT, "Model: %d nodes, %,d parameters, %,d FLOPs (%.2f MFLOPs)%n",
                    size.computeNodes(), size.parameters(), size.flops(), size.flops() / 1e6);
            long start = System.nanoTime();
            try (CompiledModel compiled = core.compileModel(model, "CPU")) {
                double compileMs = (System.nanoTime() - start) / 1e6;
                InferRequest request = compiled.createInferRequest();
                request.setInput(DemoModel.INPUT, DemoModel.syntheticImage());
                double[] times = new double[iterations];
                for (int i = 0; i < iterations; i++) {
                    long s = System.nanoTime();
                    request.infer();
                    times[i] = (System.nanoTime() - s) / 1e6;
                }
                printTop3(request.getOutput(DemoModel.OUTPUT), out);
                Arrays.sort(times);
                out.printf(Locale.ROOT, "Compile: %.1f ms; inference: median %.3f ms, min %.3f ms over %d runs%n",
                        compileMs, times[iterations / 2], times[0], iterations);
            }
        }
        return 0;
    }

    private static void printTop3(Tensor probabilities, PrintWriter out) {
        float[] p = probabilities.toFloatArray();
        out.println("Top-3 classes of the synthetic image:");
        IntStream.range(0, p.length).boxed()
                .sorted(Comparator.comparingDouble((Integer i) -> -p[i]).thenComparingInt(i -> i))
                .limit(3)
                .forEach(i -> out.printf(Locale.ROOT, "  class %d: %.4f%n", i, p[i]));
    }
}
