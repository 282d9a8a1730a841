package dev.infero.benchmarks;

import dev.infero.api.*;
import dev.infero.core.tensor.Tensor;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Median thread CPU time per inference of each model on one thread, compiled three times in one JVM — generated
 * AVX-512 code, generated AVX2 code, JIT off (Vector API) — and run alternately. On a shared machine the thread's CPU
 * time is far steadier than wall-clock latency (one-thread inference runs every kernel on the calling thread).
 * {@code -Dmodes=avx512+convpost=off,avx512} compares other settings: each mode is {@code avx512}, {@code avx2} or
 * {@code off}, optionally followed by {@code +family=off} switches ({@code -Dinfero.jit.<family>=off}, e.g.
 * {@code convpost}, {@code depthwise}; a name with a dot is a whole property: {@code avx512+infero.cpu.winograd=off});
 * ratios are against {@code off} when it runs, else the first mode. {@code -Dinput=name[1,3,320,320]} sets
 * a dynamic input's shape. {@code -Dlayers=true} also prints, per executed layer whose kernel differs between the modes
 * (all layers with {@code -Dlayers=all}), its median wall time in each mode from the same alternating rounds
 * (profiling on, so the whole-model times then include the timers). Usage: {@code java -cp <benchmarks classpath> dev.infero.benchmarks.JitCpuTime
 * [-Dseconds=25] [-Dmodes=...] [-Dinput=...] model.onnx...}
 */
public final class JitCpuTime {
    /** A switch of a mode: {@code infero.jit.<family>}, or the whole property when it has a dot. */
    private static String property(String name) {
        return name.contains(".") ? name : "infero.jit." + name;
    }

    public static void main(String[] args) {
        var mx = ManagementFactory.getThreadMXBean();
        String[] modes = System.getProperty("modes", "avx512,avx2,off").split(",");
        try (Core core = new Core()) {
            for (String file : args) {
                Model model = core.readModel(Path.of(file));
                String input = System.getProperty("input");
                if (input != null) {
                    model.reshape(input.substring(0, input.indexOf('[')), dev.infero.core.types.PartialShape.parse(
                            input.substring(input.indexOf('[') + 1, input.length() - 1), true));
                }
                Map<String, InferRequest> req = new LinkedHashMap<>();
                List<CompiledModel> keep = new ArrayList<>();
                for (String m : modes) {
                    String[] parts = m.split("\\+");
                    System.setProperty("infero.jit", parts[0].equals("off") ? "false" : "true");
                    System.setProperty("infero.jit.isa", parts[0].equals("off") ? "avx512" : parts[0]);
                    for (int i = 1; i < parts.length; i++) {
                        String[] kv = parts[i].split("=");
                        System.setProperty(property(kv[0]), kv[1]);
                    }
                    CompiledModel cm = core.compileModel(model, "CPU", Map.of("INFERENCE_NUM_THREADS", "1", "NUM_STREAMS", "1"));
                    for (int i = 1; i < parts.length; i++) {
                        System.clearProperty(property(parts[i].split("=")[0]));
                    }
                    keep.add(cm);
                    InferRequest r = cm.createInferRequest();
                    for (int i = 0; i < r.inputs().size(); i++) {
                        var p = r.inputs().get(i);
                        int[] shape = p.shape().toArray();
                        Tensor t = Tensor.allocate(dev.infero.core.types.ElementType.F32, shape);
                        Random rnd = new Random(1);
                        for (int j = 0; j < t.size(); j++) t.floats()[j] = rnd.nextFloat();
                        r.setInput(i, t);
                    }
                    req.put(m, r);
                }
                String layers = System.getProperty("layers", "false");
                boolean perLayer = !layers.equals("false");
                Map<String, Map<String, List<Long>>> layerTimes = new LinkedHashMap<>();
                Map<String, Map<String, String>> kernels = new LinkedHashMap<>();
                if (perLayer) {
                    req.values().forEach(r -> r.setProfiling(true));
                }
                Map<String, List<Long>> times = new LinkedHashMap<>();
                for (String m : modes) { times.put(m, new ArrayList<>()); for (int i = 0; i < 5; i++) req.get(m).infer(); }
                long deadline = System.nanoTime() + Long.parseLong(System.getProperty("seconds", "20")) * 1_000_000_000L;
                while (System.nanoTime() < deadline) {
                    for (String m : modes) {
                        for (int i = 0; i < 3; i++) {
                            long t0 = mx.getCurrentThreadCpuTime();
                            req.get(m).infer();
                            times.get(m).add(mx.getCurrentThreadCpuTime() - t0);
                            if (perLayer) {
                                for (var p : req.get(m).getProfilingInfo()) {
                                    if (p.status() == dev.infero.core.device.ProfilingInfo.Status.EXECUTED) {
                                        layerTimes.computeIfAbsent(p.nodeName(), k -> new LinkedHashMap<>())
                                                .computeIfAbsent(m, k -> new ArrayList<>()).add(p.realTimeNanos());
                                        kernels.computeIfAbsent(p.nodeName(), k -> new LinkedHashMap<>())
                                                .put(m, p.execType());
                                    }
                                }
                            }
                        }
                    }
                }
                StringBuilder sb = new StringBuilder(String.format("%-28s", Path.of(file).getFileName()));
                double off = median(times.get(times.containsKey("off") ? "off" : modes[0]));
                for (String m : modes) {
                    double med = median(times.get(m));
                    sb.append(String.format("  %s %7.2f ms (%.2fx)", m, med / 1e6, med / off));
                }
                System.out.println(sb + "  n=" + times.get(modes[0]).size());
                double[] changed = new double[modes.length];
                for (var e : layerTimes.entrySet()) {
                    Map<String, String> k = kernels.get(e.getKey());
                    boolean differs = k.values().stream().distinct().count() > 1;
                    if (!differs && !layers.equals("all") || e.getValue().size() < modes.length) {
                        continue;
                    }
                    StringBuilder line = new StringBuilder(String.format("  %-12s", e.getKey()));
                    for (int i = 0; i < modes.length; i++) {
                        double med = median(e.getValue().get(modes[i]));
                        changed[i] += med;
                        line.append(String.format("  %-44s %7.3f ms", k.get(modes[i]), med / 1e6));
                    }
                    System.out.println(line);
                }
                if (perLayer) {
                    StringBuilder line = new StringBuilder("  sum of the layers above:");
                    for (int i = 0; i < modes.length; i++) {
                        line.append(String.format("  %s %.3f ms", modes[i], changed[i] / 1e6));
                    }
                    System.out.println(line);
                }
                keep.forEach(CompiledModel::close);
            }
        }
    }
    private static double median(List<Long> v) { List<Long> s = new ArrayList<>(v); Collections.sort(s); return s.get(s.size() / 2); }
}
