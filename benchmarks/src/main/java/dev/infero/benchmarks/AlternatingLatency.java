package dev.infero.benchmarks;

import dev.infero.api.CompiledModel;
import dev.infero.api.Core;
import dev.infero.api.InferRequest;
import dev.infero.core.device.PortInfo;
import dev.infero.core.tensor.Tensor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Latency of several models in one JVM, one inference of each in turn (so load from other processes falls on all of
 * them alike), 1 thread unless told otherwise (the calling thread does all the work), random inputs: per model the minimum, 10th
 * percentile and median wall time, the median CPU time of the inferring thread, and each one's speed-up against the
 * first model. On a shared machine the CPU time and the minimum are what the code costs; wall-time medians include
 * other processes' time slices.
 * <p>
 * Usage: {@code AlternatingLatency SECONDS MODEL...} (see {@code scripts/int8-vs-fp32.sh}). A model written
 * {@code PATH@key=value,key=value} is compiled with those system properties set (then cleared): one model under two
 * switches in one run, e.g. {@code m.onnx@infero.cpu.blocked=off m.onnx}; the key {@code threads} sets the
 * request's thread count instead (e.g. {@code m.onnx m.onnx@threads=2}: 1 against 2 threads; the CPU time is then
 * the calling thread's only).
 */
public final class AlternatingLatency {
    private AlternatingLatency() {
    }

    /**
     * A request of the model at {@code path} compiled for latency on {@code threads} threads, its inputs filled with
     * uniform [0, 1) values (seed 1).
     */
    static InferRequest latencyRequest(Core core, String path, String threads) {
        CompiledModel compiled = core.compileModel(core.readModel(Path.of(path)), "CPU",
                Map.of("PERFORMANCE_HINT", "LATENCY", "INFERENCE_NUM_THREADS", threads));
        InferRequest request = compiled.createInferRequest();
        Random r = new Random(1);
        for (int i = 0; i < request.inputs().size(); i++) {
            PortInfo port = request.inputs().get(i);
            int[] shape = port.shape().toArray();
            float[] data = new float[Arrays.stream(shape).reduce(1, (a, b) -> a * b)];
            for (int j = 0; j < data.length; j++) {
                data[j] = r.nextFloat();
            }
            request.setInput(i, Tensor.of(data, shape));
        }
        return request;
    }

    /** The file name, with the switches of {@code PATH@switches}. */
    private static String label(String path) {
        int at = path.indexOf('@');
        String name = Path.of(at >= 0 ? path.substring(0, at) : path).getFileName().toString();
        return at >= 0 ? name + path.substring(at) : name;
    }

    public static void main(String[] args) throws Exception {
        double seconds = Double.parseDouble(args[0]);
        List<String> paths = Arrays.asList(args).subList(1, args.length);
        try (Core core = new Core()) {
            List<InferRequest> requests = new ArrayList<>();
            for (String p : paths) {
                int at = p.indexOf('@');
                List<String> keys = new ArrayList<>();
                String threads = "1";
                if (at >= 0) {
                    for (String kv : p.substring(at + 1).split(",")) {
                        int eq = kv.indexOf('=');
                        if (eq <= 0) {
                            throw new IllegalArgumentException("expected key=value after @ in " + p + ", got " + kv);
                        }
                        if (kv.substring(0, eq).equals("threads")) {
                            threads = kv.substring(eq + 1);
                            continue;
                        }
                        System.setProperty(kv.substring(0, eq), kv.substring(eq + 1));
                        keys.add(kv.substring(0, eq));
                    }
                }
                try {
                    requests.add(latencyRequest(core, at >= 0 ? p.substring(0, at) : p, threads));
                } finally {
                    keys.forEach(System::clearProperty);
                }
            }
            long warmEnd = System.nanoTime() + (long) (seconds * 0.3e9);
            while (System.nanoTime() < warmEnd) {
                requests.forEach(InferRequest::infer);
            }
            var mx = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
            List<long[]> times = new ArrayList<>();
            List<long[]> cpu = new ArrayList<>();
            int[] counts = new int[requests.size()];
            for (int i = 0; i < requests.size(); i++) {
                times.add(new long[1 << 16]);
                cpu.add(new long[1 << 16]);
            }
            long end = System.nanoTime() + (long) (seconds * 1e9);
            while (System.nanoTime() < end && counts[0] < (1 << 16)) {
                for (int i = 0; i < requests.size(); i++) {
                    long c0 = mx.getCurrentThreadCpuTime();
                    long t0 = System.nanoTime();
                    requests.get(i).infer();
                    times.get(i)[counts[i]] = System.nanoTime() - t0;
                    cpu.get(i)[counts[i]++] = mx.getCurrentThreadCpuTime() - c0;
                }
            }
            double[] p10 = new double[requests.size()];
            double[] min = new double[requests.size()];
            double[] median = new double[requests.size()];
            double[] cpuMedian = new double[requests.size()];
            for (int i = 0; i < requests.size(); i++) {
                long[] t = Arrays.copyOf(times.get(i), counts[i]);
                Arrays.sort(t);
                min[i] = t[0] / 1e6;
                p10[i] = t[t.length / 10] / 1e6;
                median[i] = t[t.length / 2] / 1e6;
                long[] c = Arrays.copyOf(cpu.get(i), counts[i]);
                Arrays.sort(c);
                cpuMedian[i] = c[c.length / 2] / 1e6;
            }
            System.out.printf("%-32s %6s %9s %9s %9s %9s  %s%n", "model", "runs", "min ms", "p10 ms", "median ms",
                    "cpu ms", "speed-up vs first (min / p10 / median / cpu median)");
            for (int i = 0; i < requests.size(); i++) {
                System.out.printf("%-32s %6d %9.3f %9.3f %9.3f %9.3f  %.2fx / %.2fx / %.2fx / %.2fx%n",
                        label(paths.get(i)), counts[i], min[i], p10[i], median[i], cpuMedian[i],
                        min[0] / min[i], p10[0] / p10[i], median[0] / median[i], cpuMedian[0] / cpuMedian[i]);
            }
        }
    }
}
