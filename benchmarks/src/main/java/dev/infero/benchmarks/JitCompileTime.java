package dev.infero.benchmarks;

import dev.infero.api.CompiledModel;
import dev.infero.api.Core;
import dev.infero.api.InferRequest;
import dev.infero.api.Model;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.cpu.jit.KernelCache;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;

/**
 * How long the JIT takes to generate a model's kernels when it is compiled: the first compilation in a fresh JVM
 * and first inference (what a user waits for, class loading and interpretation of the assembler included; some
 * kernels are generated on first use, so each compilation is followed by one inference), then the median of
 * {@code -Drepeats=20} later compilations (each compiled model has its own kernel cache, so every compilation
 * generates all of its kernels again). Prints functions generated, generation time and whole compile time.
 * Usage: {@code java -cp <benchmarks classpath> dev.infero.benchmarks.JitCompileTime model.onnx...}
 */
public final class JitCompileTime {
    public static void main(String[] args) {
        int repeats = Integer.getInteger("repeats", 20);
        try (Core core = new Core()) {
            for (String file : args) {
                Model model = core.readModel(Path.of(file));
                double[] jitMs = new double[repeats + 1];
                double[] compileMs = new double[repeats + 1];
                long functions = 0;
                for (int i = 0; i <= repeats; i++) {
                    long n0 = KernelCache.generatedFunctions();
                    long j0 = KernelCache.generationNanos();
                    long t0 = System.nanoTime();
                    try (CompiledModel cm = core.compileModel(model, "CPU", Map.of("INFERENCE_NUM_THREADS", "1"))) {
                        compileMs[i] = (System.nanoTime() - t0) / 1e6;
                        // Some kernels are generated on first use: one inference makes them all.
                        InferRequest request = cm.createInferRequest();
                        for (int p = 0; p < request.inputs().size(); p++) {
                            int[] shape = request.inputs().get(p).shape().toArray();
                            request.setInput(p, Tensor.allocate(ElementType.F32, shape));
                        }
                        request.infer();
                    }
                    jitMs[i] = (KernelCache.generationNanos() - j0) / 1e6;
                    functions = KernelCache.generatedFunctions() - n0;
                }
                System.out.printf(Locale.ROOT, "%-28s %3d functions | first compile: JIT %7.2f ms, compile %8.2f ms"
                        + " | median of %d later: JIT %6.2f ms, compile %7.2f ms%n", Path.of(file).getFileName(),
                        functions, jitMs[0], compileMs[0], repeats, median(jitMs), median(compileMs));
            }
        }
    }

    private static double median(double[] values) {
        double[] later = Arrays.copyOfRange(values, 1, values.length);
        Arrays.sort(later);
        return later[later.length / 2];
    }
}
