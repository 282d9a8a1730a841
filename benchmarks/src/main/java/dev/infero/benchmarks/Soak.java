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
import java.lang.management.CompilationMXBean;
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
 * A calibration workload (plain Java, {@link Calibration}) runs in the rotation like a model.
 *
 * <p>Each block of {@code --block-seconds} records, per model, the median and 90th percentile of the wall time per
 * inference, the median of the inference thread's CPU time per inference ({@code getCurrentThreadCpuTime} around
 * each call: with 1 inference thread the whole inference runs on it; unlike wall time it leaves out other processes'
 * time slices, though not a busy sibling hyper-thread or a lower clock), the process CPU time per inference (a
 * block's mean, coarse; it includes this JVM's compiler and GC threads), the bytes allocated per inference (all Java
 * threads: {@code getTotalThreadAllocatedBytes} around each call), the heap in use, the collections and HotSpot's
 * compilation time in the block.
 *
 * <p>The summary gives, per model, for the series of block medians after the warm-up ({@link Drift}): {@code drift},
 * the median of the last quarter's blocks over the first quarter's, and {@code spread}, the largest block over the
 * smallest, of the wall time, the thread CPU time, both divided block by block by the calibration's factor
 * ({@code _calibrated}: the machine's share taken out), and the thread CPU time divided by what all models did
 * together in that block ({@code _vs_other_models}: what one model did unlike the others).
 *
 * <p>Usage: {@code Soak [--minutes M] [--block-seconds S] [--warmup-seconds W] [--reload-seconds R] [--threads T]
 * [--out PREFIX] [MODEL...]}; writes {@code PREFIX.csv} (one row per block and model) and {@code PREFIX.json} (the
 * summary). Without models: the embedded demo only. See {@code scripts/soak.sh}, which adds the shared models.
 */
public final class Soak {
    /** How long each model runs in one round. */
    private static final long SLICE_NANOS = 20_000_000L;
    /** The name of the calibration workload in the rows and the summary. */
    private static final String CALIBRATION = "calibration";
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

    /** One model under test (or the calibration workload: {@code file} null), with this block's measurements. */
    private final class Loaded {
        final String name;
        final Path file;
        CompiledModel compiled;
        InferRequest request;
        long[] latencies = new long[1 << 16];
        long[] cpuTimes = new long[1 << 16];
        long processCpuNanos;
        int count;
        long allocated;
        final List<Double> medians = new ArrayList<>();
        final List<Double> cpuMedians = new ArrayList<>();
        final List<Double> allocations = new ArrayList<>();
        long totalInferences;
        int reloads;
        double reloadMillis;

        Loaded(String name, Path file) {
            this.name = name;
            this.file = file;
            if (file != null) {
                load();
            }
        }

        boolean isCalibration() {
            return file == null;
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
            long c0 = THREADS.getCurrentThreadCpuTime();
            long t0 = System.nanoTime();
            request.infer();
            long t1 = System.nanoTime();
            long c1 = THREADS.getCurrentThreadCpuTime();
            allocated += THREADS.getTotalThreadAllocatedBytes() - a0;
            record(t1 - t0, c1 - c0);
        }

        /**
         * The calibration's own loop, not {@link #inferOnce}'s: the yardstick must be compiled once and stay so, not
         * be recompiled with the call site of {@code infer()} each time that site's profile changes.
         */
        void calibrateOnce() {
            long c0 = THREADS.getCurrentThreadCpuTime();
            long t0 = System.nanoTime();
            Calibration.run();
            long t1 = System.nanoTime();
            long c1 = THREADS.getCurrentThreadCpuTime();
            record(t1 - t0, c1 - c0);
        }

        private void record(long wallNanos, long cpuNanos) {
            if (count == latencies.length) {
                latencies = Arrays.copyOf(latencies, count * 2);
                cpuTimes = Arrays.copyOf(cpuTimes, count * 2);
            }
            cpuTimes[count] = cpuNanos;
            latencies[count++] = wallNanos;
        }
    }

    /**
     * The machine's yardstick: a fixed piece of plain Java work that Infero's code cannot change, run in the rotation
     * like a model: a 48×48 float matrix product (compute, in L1) and a 2 MB array copy (memory, beyond L2), about
     * 0.1 ms each on an idle Zen 4, as inference is both. Its block medians move only with the machine (other
     * processes' time slices, a busy sibling hyper-thread, shared caches and memory bandwidth, clock frequency), so a
     * model's block median divided by the calibration's factor for that block ({@code median / median of all
     * blocks}) removes what the host did.
     */
    static final class Calibration {
        private static final int N = 48;
        private static final float[] A = new float[N * N];
        private static final float[] B = new float[N * N];
        private static final float[] C = new float[N * N];
        private static final float[] FROM = new float[1 << 19];
        private static final float[] TO = new float[1 << 19];
        /** Read after each run so that the JIT cannot drop the work. */
        static volatile float sink;

        static {
            Random random = new Random(42);
            for (int i = 0; i < N * N; i++) {
                A[i] = random.nextFloat();
                B[i] = random.nextFloat();
            }
        }

        static void run() {
            for (int i = 0; i < N; i++) {
                for (int j = 0; j < N; j++) {
                    float acc = 0;
                    for (int k = 0; k < N; k++) {
                        acc += A[i * N + k] * B[k * N + j];
                    }
                    C[i * N + j] = acc;
                }
            }
            System.arraycopy(FROM, 0, TO, 0, FROM.length);
            FROM[C.length % FROM.length] = C[N + 1];
            sink = TO[N];
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
        models.add(new Loaded(CALIBRATION, null));
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
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        long jitMillis0 = jit.getTotalCompilationTime();
        long jitBlock0 = jitMillis0;
        List<Long> jitPerBlock = new ArrayList<>();
        try (PrintWriter csv = new PrintWriter(Files.newBufferedWriter(Path.of(out + ".csv")))) {
            csv.println("block,seconds,model,inferences,median_ms,p90_ms,thread_cpu_median_ms,"
                    + "process_cpu_ms_per_inference,alloc_bytes_per_inference,heap_used_mb,gc_count,gc_ms,jit_ms,reloads");
            int block = 0;
            while (System.nanoTime() < end) {
                long blockEnd = Math.min(end, System.nanoTime() + (long) (blockSeconds * 1e9));
                while (System.nanoTime() < blockEnd) {
                    // Each model in turn for a slice of time (at least one inference), so that a 1 ms model gets as
                    // many samples per block as it would alone while a 300 ms one still runs in every round.
                    for (Loaded m : models) {
                        long cpu0 = PROCESS.getProcessCpuTime();
                        long sliceEnd = System.nanoTime() + SLICE_NANOS;
                        if (m.isCalibration()) {
                            do {
                                m.calibrateOnce();
                            } while (System.nanoTime() < sliceEnd);
                        } else {
                            do {
                                m.inferOnce();
                            } while (System.nanoTime() < sliceEnd);
                        }
                        // Per slice, not per inference: the process CPU clock ticks too coarsely for a 1 ms call.
                        m.processCpuNanos += PROCESS.getProcessCpuTime() - cpu0;
                    }
                    if (System.nanoTime() >= nextReload) {
                        if (models.get(reloadNext).isCalibration()) {
                            reloadNext++;
                        }
                        models.get(reloadNext).reload();
                        reloadNext = (reloadNext + 1) % models.size();
                        nextReload += (long) (reloadSeconds * 1e9);
                    }
                }
                boolean warm = System.nanoTime() > warmEnd + (long) (blockSeconds * 1e9) / 2;
                double heap = memory.getHeapMemoryUsage().getUsed() / 1048576.0;
                long gcs = gcCount() - gcCount0;
                long gcMs = gcMillis() - gcMillis0;
                long jitNow = jit.getTotalCompilationTime();
                long jitMs = jitNow - jitBlock0;
                jitBlock0 = jitNow;
                double seconds = (System.nanoTime() - start) / 1e9;
                for (Loaded m : models) {
                    long[] t = Arrays.copyOf(m.latencies, m.count);
                    Arrays.sort(t);
                    long[] c = Arrays.copyOf(m.cpuTimes, m.count);
                    Arrays.sort(c);
                    double median = t.length == 0 ? Double.NaN : t[t.length / 2] / 1e6;
                    double p90 = t.length == 0 ? Double.NaN : t[(int) (t.length * 0.9)] / 1e6;
                    double cpuMedian = c.length == 0 ? Double.NaN : c[c.length / 2] / 1e6;
                    double processCpu = m.count == 0 ? Double.NaN : m.processCpuNanos / 1e6 / m.count;
                    double alloc = m.count == 0 ? Double.NaN : (double) m.allocated / m.count;
                    csv.printf(Locale.ROOT, "%d,%.1f,%s,%d,%.4f,%.4f,%.4f,%.4f,%.0f,%.1f,%d,%d,%d,%d%n", block,
                            seconds, m.name, m.count, median, p90, cpuMedian, processCpu, alloc, heap, gcs, gcMs,
                            jitMs, m.reloads);
                    if (warm && m.count > 0) {
                        m.medians.add(median);
                        m.cpuMedians.add(cpuMedian);
                        m.allocations.add(alloc);
                    }
                    m.totalInferences += m.count;
                    m.count = 0;
                    m.allocated = 0;
                    m.processCpuNanos = 0;
                }
                if (warm) {
                    heapMb.add(heap);
                    jitPerBlock.add(jitMs);
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
        summary.put("jit_ms_total", jit.getTotalCompilationTime() - jitMillis0);
        summary.put("jit_ms_per_block", jitPerBlock);
        Loaded calibration = models.getFirst();
        double[] wallFactor = Drift.factors(calibration.medians);
        double[] cpuFactor = Drift.factors(calibration.cpuMedians);
        double[] commonCpuFactor = Drift.commonFactors(models.subList(1, models.size()).stream()
                .map(m -> m.cpuMedians).toList());
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Loaded m : models) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("model", m.name);
            row.put("file", m.isCalibration() ? "(plain Java yardstick)" : m.file.toString());
            row.put("inferences", m.totalInferences);
            row.put("blocks", m.medians.size());
            row.put("wall", Drift.of(m.medians, null).toMap());
            row.put("thread_cpu", Drift.of(m.cpuMedians, null).toMap());
            if (!m.isCalibration()) {
                row.put("wall_calibrated", Drift.of(m.medians, wallFactor).toMap());
                row.put("thread_cpu_calibrated", Drift.of(m.cpuMedians, cpuFactor).toMap());
                row.put("thread_cpu_vs_other_models", Drift.of(m.cpuMedians, commonCpuFactor).toMap());
            }
            row.put("alloc_bytes_per_inference_max",
                    m.allocations.stream().mapToDouble(d -> d).max().orElse(Double.NaN));
            row.put("alloc_bytes_per_inference_median", m.allocations.stream().mapToDouble(d -> d).sorted()
                    .skip(m.allocations.size() / 2).findFirst().orElse(Double.NaN));
            row.put("reloads", m.reloads);
            row.put("reload_ms_mean", m.reloads == 0 ? Double.NaN : m.reloadMillis / m.reloads);
            rows.add(row);
            if (m.compiled != null) {
                m.compiled.close();
            }
        }
        summary.put("models", rows);
        String json = toJson(summary, "");
        Files.writeString(Path.of(out + ".json"), json + "\n");
        System.out.println(json);
        core.close();
    }

    /**
     * A series of block medians (ms) after the warm-up: {@code drift} is the median of the last quarter's blocks over
     * the median of the first quarter's (what the code does over the run, little moved by a single noisy block);
     * {@code spread} the largest block over the smallest (every bump counts). With {@code factors}, each block is
     * first divided by the calibration's factor for that block.
     */
    record Drift(int blocks, double min, double median, double max, double drift, double spread) {
        static Drift of(List<Double> series, double[] factors) {
            int n = series.size();
            if (n == 0 || factors != null && factors.length != n) {
                // A model that missed a block (its reload took it whole) has no factor per block to divide by.
                return new Drift(n, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
            }
            double[] v = new double[n];
            for (int i = 0; i < n; i++) {
                v[i] = series.get(i) / (factors == null ? 1 : factors[i]);
            }
            int quarter = Math.max(1, n / 4);
            double early = median(Arrays.copyOfRange(v, 0, quarter));
            double late = median(Arrays.copyOfRange(v, n - quarter, n));
            double[] sorted = v.clone();
            Arrays.sort(sorted);
            return new Drift(n, sorted[0], median(sorted), sorted[n - 1], late / early, sorted[n - 1] / sorted[0]);
        }

        /** Each block's calibration median over the median of all its blocks: the machine's slowness per block. */
        static double[] factors(List<Double> calibration) {
            double[] v = calibration.stream().mapToDouble(d -> d).toArray();
            double m = median(v.clone());
            for (int i = 0; i < v.length; i++) {
                v[i] /= m;
            }
            return v;
        }

        /**
         * Per block, the median over the models of each model's block median over its own median of blocks: what all
         * models did together in that block. Dividing by it leaves what one model did unlike the others (a kernel
         * recompiled for one model, a plan cache evicting its plans), but also hides what all did alike (the
         * calibration's factor does not).
         */
        static double[] commonFactors(List<List<Double>> perModel) {
            int blocks = perModel.stream().mapToInt(List::size).min().orElse(0);
            double[] common = new double[blocks];
            List<double[]> ratios = new ArrayList<>();
            for (List<Double> series : perModel) {
                ratios.add(factors(series.subList(0, blocks)));
            }
            for (int b = 0; b < blocks; b++) {
                double[] atBlock = new double[ratios.size()];
                for (int m = 0; m < atBlock.length; m++) {
                    atBlock[m] = ratios.get(m)[b];
                }
                common[b] = median(atBlock);
            }
            return common;
        }

        static double median(double[] v) {
            Arrays.sort(v);
            int n = v.length;
            return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
        }

        Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("min_block_median_ms", min);
            m.put("median_block_median_ms", median);
            m.put("max_block_median_ms", max);
            m.put("drift", drift);
            m.put("spread", spread);
            return m;
        }
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
