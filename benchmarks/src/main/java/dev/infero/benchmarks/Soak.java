package dev.infero.benchmarks;

import com.sun.management.OperatingSystemMXBean;
import com.sun.management.ThreadMXBean;
import dev.infero.api.CompiledModel;
import dev.infero.api.Core;
import dev.infero.api.InferRequest;
import dev.infero.cli.demo.DemoModel;
import dev.infero.core.device.PortInfo;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;

import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * A long run of the API as a model server lives it: several models compiled in one JVM, each in turn for 20 ms (at
 * least one inference), and every {@code --reload-seconds} one of them (in turn) closed and read and compiled again.
 * Each block of {@code --block-seconds} records, per model, the median and 90th percentile latency, the CPU time of
 * this process per inference (a block's mean: on a shared machine this is what the code costs, while wall time
 * includes other processes' time slices; it also counts this JVM's compiler and GC threads), the bytes allocated per
 * inference (all Java threads: {@code getTotalThreadAllocatedBytes} around each call, so worker-pool allocation counts
 * too), the heap in use and the collections. The summary gives each model's drift: the largest block median over the smallest,
 * after the warm-up, of the wall time ({@code drift}), and the same ratio of the CPU time per inference
 * ({@code cpu_drift}).
 *
 * <p>Usage: {@code Soak [--minutes M] [--block-seconds S] [--warmup-seconds W] [--reload-seconds R] [--threads T]
 * [--out PREFIX] [MODEL...]}; writes {@code PREFIX.csv} (one row per block and model) and {@code PREFIX.json} (the
 * summary). Without models: the embedded demo only. See {@code scripts/soak.sh}, which adds the shared models.
 */
public final class Soak {
    /** How long each model runs in one round. */
    private static final long SLICE_NANOS = 20_000_000L;
    private static final ThreadMXBean THREADS = (ThreadMXBean) ManagementFactory.getThreadMXBean();
    private static final OperatingSystemMXBean PROCESS =
            (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    private final Core core = new Core();
    private final Map<String, String> config;

    private Soak(int threads) {
        config = threads > 0
                ? Map.of("PERFORMANCE_HINT", "LATENCY", "INFERENCE_NUM_THREADS", Integer.toString(threads))
                : Map.of("PERFORMANCE_HINT", "LATENCY");
    }

    /** One model under test, with this block's measurements. */
    private final class Loaded {
        final String name;
        final Path file;
        CompiledModel compiled;
        InferRequest request;
        long[] latencies = new long[1 << 16];
        long cpuNanos;
        int count;
        long allocated;
        final List<Double> medians = new ArrayList<>();
        final List<Double> cpuMeans = new ArrayList<>();
        final List<Double> allocations = new ArrayList<>();
        long totalInferences;
        int reloads;
        double reloadMillis;

        Loaded(String name, Path file) {
            this.name = name;
            this.file = file;
            load();
        }

        void load() {
            compiled = core.compileModel(core.readModel(file), "CPU", config);
            request = compiled.createInferRequest();
            Random random = new Random(name.hashCode());
            List<PortInfo> inputs = request.inputs();
            for (int i = 0; i < inputs.size(); i++) {
                PortInfo port = inputs.get(i);
                if (port.type() != ElementType.F32 || !port.shape().isStatic()) {
                    throw new IllegalArgumentException(name + ": input " + port
                            + " is not a static f32 input; the soak feeds random f32 data only");
                }
                int[] shape = port.shape().toArray();
                float[] data = new float[Arrays.stream(shape).reduce(1, Math::multiplyExact)];
                for (int j = 0; j < data.length; j++) {
                    data[j] = random.nextFloat();
                }
                request.setInput(i, Tensor.of(data, shape));
            }
        }

        void reload() {
            long t0 = System.nanoTime();
            compiled.close();
            load();
            reloads++;
            reloadMillis += (System.nanoTime() - t0) / 1e6;
        }

        void inferOnce() {
            long a0 = THREADS.getTotalThreadAllocatedBytes();
            long t0 = System.nanoTime();
            request.infer();
            long t1 = System.nanoTime();
            allocated += THREADS.getTotalThreadAllocatedBytes() - a0;
            if (count == latencies.length) {
                latencies = Arrays.copyOf(latencies, count * 2);
            }
            latencies[count++] = t1 - t0;
        }
    }

    public static void main(String[] args) throws IOException {
        double minutes = 30;
        double blockSeconds = 10;
        double warmupSeconds = 30;
        double reloadSeconds = 60;
        int threads = 1;
        String out = "soak";
        List<Path> models = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--minutes" -> minutes = positive(args, ++i);
                case "--block-seconds" -> blockSeconds = positive(args, ++i);
                case "--warmup-seconds" -> warmupSeconds = positive(args, ++i);
                case "--reload-seconds" -> reloadSeconds = positive(args, ++i);
                case "--threads" -> threads = (int) positive(args, ++i);
                case "--out" -> out = value(args, ++i);
                default -> {
                    if (args[i].startsWith("--")) {
                        throw new IllegalArgumentException("unknown option " + args[i]);
                    }
                    models.add(Path.of(args[i]));
                }
            }
        }
        new Soak(threads).run(models, minutes, blockSeconds, warmupSeconds, reloadSeconds, threads, out);
    }

    private static String value(String[] args, int i) {
        if (i >= args.length) {
            throw new IllegalArgumentException(args[i - 1] + " needs a value");
        }
        return args[i];
    }

    private static double positive(String[] args, int i) {
        double v = Double.parseDouble(value(args, i));
        if (!(v > 0)) {
            throw new IllegalArgumentException(args[i - 1] + " must be positive, not " + args[i]);
        }
        return v;
    }

    private void run(List<Path> files, double minutes, double blockSeconds, double warmupSeconds,
                     double reloadSeconds, int threads, String out) throws IOException {
        Path demo = Files.createTempFile("infero-soak-demo", ".onnx");
        demo.toFile().deleteOnExit();
        DemoModel.build(1).write(demo);
        List<Loaded> models = new ArrayList<>();
        models.add(new Loaded("demo", demo));
        for (Path file : files) {
            String name = file.getFileName().toString().replaceFirst("\\.[^.]*$", "");
            models.add(new Loaded(name, file));
        }
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        long start = System.nanoTime();
        long end = start + (long) ((warmupSeconds + minutes * 60) * 1e9);
        long warmEnd = start + (long) (warmupSeconds * 1e9);
        long nextReload = warmEnd + (long) (reloadSeconds * 1e9);
        int reloadNext = 0;
        List<Double> heapMb = new ArrayList<>();
        long gcCount0 = gcCount();
        long gcMillis0 = gcMillis();
        try (PrintWriter csv = new PrintWriter(Files.newBufferedWriter(Path.of(out + ".csv")))) {
            csv.println("block,seconds,model,inferences,median_ms,p90_ms,cpu_ms_per_inference,alloc_bytes_per_inference,"
                    + "heap_used_mb,gc_count,gc_ms,reloads");
            int block = 0;
            while (System.nanoTime() < end) {
                long blockEnd = Math.min(end, System.nanoTime() + (long) (blockSeconds * 1e9));
                while (System.nanoTime() < blockEnd) {
                    // Each model in turn for a slice of time (at least one inference), so that a 1 ms model gets as
                    // many samples per block as it would alone while a 300 ms one still runs in every round.
                    for (Loaded m : models) {
                        long cpu0 = PROCESS.getProcessCpuTime();
                        long sliceEnd = System.nanoTime() + SLICE_NANOS;
                        do {
                            m.inferOnce();
                        } while (System.nanoTime() < sliceEnd);
                        // Per slice, not per inference: the process CPU clock ticks too coarsely for a 1 ms call.
                        m.cpuNanos += PROCESS.getProcessCpuTime() - cpu0;
                    }
                    if (System.nanoTime() >= nextReload) {
                        models.get(reloadNext).reload();
                        reloadNext = (reloadNext + 1) % models.size();
                        nextReload += (long) (reloadSeconds * 1e9);
                    }
                }
                boolean warm = System.nanoTime() > warmEnd + (long) (blockSeconds * 1e9) / 2;
                double heap = memory.getHeapMemoryUsage().getUsed() / 1048576.0;
                long gcs = gcCount() - gcCount0;
                long gcMs = gcMillis() - gcMillis0;
                double seconds = (System.nanoTime() - start) / 1e9;
                for (Loaded m : models) {
                    long[] t = Arrays.copyOf(m.latencies, m.count);
                    Arrays.sort(t);
                    double median = t.length == 0 ? Double.NaN : t[t.length / 2] / 1e6;
                    double p90 = t.length == 0 ? Double.NaN : t[(int) (t.length * 0.9)] / 1e6;
                    double cpuMean = m.count == 0 ? Double.NaN : m.cpuNanos / 1e6 / m.count;
                    double alloc = m.count == 0 ? Double.NaN : (double) m.allocated / m.count;
                    csv.printf(Locale.ROOT, "%d,%.1f,%s,%d,%.4f,%.4f,%.4f,%.0f,%.1f,%d,%d,%d%n", block, seconds,
                            m.name, m.count, median, p90, cpuMean, alloc, heap, gcs, gcMs, m.reloads);
                    if (warm && m.count > 0) {
                        m.medians.add(median);
                        m.cpuMeans.add(cpuMean);
                        m.allocations.add(alloc);
                    }
                    m.totalInferences += m.count;
                    m.count = 0;
                    m.allocated = 0;
                    m.cpuNanos = 0;
                }
                if (warm) {
                    heapMb.add(heap);
                }
                csv.flush();
                block++;
            }
        }
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("minutes", minutes);
        summary.put("block_seconds", blockSeconds);
        summary.put("warmup_seconds", warmupSeconds);
        summary.put("reload_seconds", reloadSeconds);
        summary.put("threads", threads);
        summary.put("java", System.getProperty("java.vm.version"));
        summary.put("gc_count", gcCount() - gcCount0);
        summary.put("gc_ms", gcMillis() - gcMillis0);
        summary.put("heap_used_mb_min", heapMb.stream().mapToDouble(d -> d).min().orElse(Double.NaN));
        summary.put("heap_used_mb_max", heapMb.stream().mapToDouble(d -> d).max().orElse(Double.NaN));
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Loaded m : models) {
            Map<String, Object> row = new LinkedHashMap<>();
            double min = m.medians.stream().mapToDouble(d -> d).min().orElse(Double.NaN);
            double max = m.medians.stream().mapToDouble(d -> d).max().orElse(Double.NaN);
            double[] sorted = m.medians.stream().mapToDouble(d -> d).sorted().toArray();
            row.put("model", m.name);
            row.put("file", m.file.toString());
            row.put("inferences", m.totalInferences);
            row.put("blocks", m.medians.size());
            row.put("median_of_block_medians_ms", sorted.length == 0 ? Double.NaN : sorted[sorted.length / 2]);
            row.put("min_block_median_ms", min);
            row.put("max_block_median_ms", max);
            row.put("drift", max / min);
            double cpuMin = m.cpuMeans.stream().mapToDouble(d -> d).min().orElse(Double.NaN);
            double cpuMax = m.cpuMeans.stream().mapToDouble(d -> d).max().orElse(Double.NaN);
            row.put("min_block_cpu_ms_per_inference", cpuMin);
            row.put("max_block_cpu_ms_per_inference", cpuMax);
            row.put("cpu_drift", cpuMax / cpuMin);
            row.put("alloc_bytes_per_inference_max",
                    m.allocations.stream().mapToDouble(d -> d).max().orElse(Double.NaN));
            row.put("alloc_bytes_per_inference_median", m.allocations.stream().mapToDouble(d -> d).sorted()
                    .skip(m.allocations.size() / 2).findFirst().orElse(Double.NaN));
            row.put("reloads", m.reloads);
            row.put("reload_ms_mean", m.reloads == 0 ? Double.NaN : m.reloadMillis / m.reloads);
            rows.add(row);
            m.compiled.close();
        }
        summary.put("models", rows);
        String json = toJson(summary, "");
        Files.writeString(Path.of(out + ".json"), json + "\n");
        System.out.println(json);
        core.close();
    }

    private static long gcCount() {
        return ManagementFactory.getGarbageCollectorMXBeans().stream()
                .mapToLong(GarbageCollectorMXBean::getCollectionCount).sum();
    }

    private static long gcMillis() {
        return ManagementFactory.getGarbageCollectorMXBeans().stream()
                .mapToLong(GarbageCollectorMXBean::getCollectionTime).sum();
    }

    /** A small JSON writer for the summary (maps, lists, numbers, strings): the benchmarks need no JSON library. */
    private static String toJson(Object value, String indent) {
        if (value instanceof Map<?, ?> map) {
            StringBuilder b = new StringBuilder("{\n");
            int i = 0;
            for (Map.Entry<?, ?> e : map.entrySet()) {
                b.append(indent).append("  \"").append(e.getKey()).append("\": ")
                        .append(toJson(e.getValue(), indent + "  ")).append(++i < map.size() ? ",\n" : "\n");
            }
            return b.append(indent).append('}').toString();
        }
        if (value instanceof List<?> list) {
            StringBuilder b = new StringBuilder("[\n");
            for (int i = 0; i < list.size(); i++) {
                b.append(indent).append("  ").append(toJson(list.get(i), indent + "  "))
                        .append(i + 1 < list.size() ? ",\n" : "\n");
            }
            return b.append(indent).append(']').toString();
        }
        if (value instanceof Double d) {
            return d.isNaN() || d.isInfinite() ? "null" : String.format(Locale.ROOT, "%.4f", d);
        }
        if (value instanceof Number n) {
            return n.toString();
        }
        return "\"" + value.toString().replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
