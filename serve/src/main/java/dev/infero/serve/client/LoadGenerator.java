package dev.infero.serve.client;

import dev.infero.api.CompiledModel;
import dev.infero.api.Core;
import dev.infero.api.InferRequest;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A bounded load test of a KServe v2 REST server (used by {@code scripts/serve-load.sh}): {@code clients} threads
 * send inference requests back to back for {@code seconds}, each request with its own id and one of a set of
 * random inputs whose outputs were computed locally first; every answer is checked (id echoed, outputs equal to the
 * local ones bit for bit). Prints throughput, latency percentiles, the count of each status, how fast 503s come, and
 * wrong or lost answers ({@code scripts/serve-load.sh} adds the server's heap after full GCs).
 *
 * <pre>
 * java -cp ... dev.infero.serve.client.LoadGenerator --url http://127.0.0.1:8000 --model face \
 *     --model-file blazeface.onnx --clients 64 --seconds 60 [--encoding binary|json] [--inputs 16]
 * </pre>
 * Only loopback URLs are accepted: this is a local load test, not a tool to load someone else's server.
 */
public final class LoadGenerator {
    private LoadGenerator() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> a = new LinkedHashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            a.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        URI url = URI.create(a.getOrDefault("url", "http://127.0.0.1:8000"));
        if (!List.of("127.0.0.1", "localhost", "[::1]").contains(url.getHost())) {
            throw new IllegalArgumentException("the load generator only targets 127.0.0.1 / localhost, not "
                    + url.getHost());
        }
        String model = a.getOrDefault("model", "face");
        Path file = Path.of(a.get("model-file"));
        int clients = Integer.parseInt(a.getOrDefault("clients", "64"));
        int seconds = Integer.parseInt(a.getOrDefault("seconds", "60"));
        int inputs = Integer.parseInt(a.getOrDefault("inputs", "16"));
        InferoClient.Encoding encoding = InferoClient.Encoding.valueOf(a.getOrDefault("encoding", "binary")
                .toUpperCase(Locale.ROOT));
        Map<String, String> plugin = new LinkedHashMap<>();
        if (a.containsKey("plugin-config")) {
            for (String kv : a.get("plugin-config").split(",")) {
                String[] p = kv.split("=", 2);
                plugin.put(p[0], p[1]);
            }
        }

        // Inputs and their expected outputs, computed locally with the same settings as the server.
        List<Tensor> xs = new ArrayList<>();
        List<List<Tensor>> expected = new ArrayList<>();
        String inputName;
        try (Core core = new Core(); CompiledModel compiled = core.compileModel(core.readModel(file), "CPU", plugin)) {
            inputName = compiled.inputs().get(0).name();
            int[] shape = compiled.inputs().get(0).shape().toArray();
            InferRequest r = compiled.createInferRequest();
            Random random = new Random(42);
            for (int i = 0; i < inputs; i++) {
                Tensor x = Tensor.allocate(ElementType.F32, shape);
                for (int j = 0; j < x.size(); j++) {
                    x.floats()[j] = random.nextFloat() * 2 - 1;
                }
                r.setInput(0, x);
                r.infer();
                List<Tensor> outs = new ArrayList<>();
                for (int o = 0; o < compiled.outputs().size(); o++) {
                    outs.add(r.getOutput(o).copy());
                }
                xs.add(x);
                expected.add(outs);
            }
        }
        InferoClient client = new InferoClient(url);
        AtomicLong ok = new AtomicLong();
        AtomicLong wrong = new AtomicLong();
        AtomicLong lost = new AtomicLong();
        Map<Integer, AtomicLong> statuses = new ConcurrentHashMap<>();
        List<long[]> latencies = new ArrayList<>();
        List<long[]> rejections = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        long start = System.nanoTime();
        for (int c = 0; c < clients; c++) {
            int client0 = c;
            long[] lat = new long[1 << 18];
            long[] rej = new long[1 << 18];
            latencies.add(lat);
            rejections.add(rej);
            threads.add(Thread.ofPlatform().name("load-" + c).start(() -> {
                int n = 0;
                while (System.nanoTime() < end) {
                    int which = (client0 * 7 + n) % xs.size();
                    String id = "c" + client0 + "-" + n;
                    long t0 = System.nanoTime();
                    try {
                        InferoClient.Result r = client.infer(model, null, Map.of(inputName, xs.get(which)),
                                List.of(), encoding, id);
                        long t = System.nanoTime() - t0;
                        if (!id.equals(r.id())) {
                            lost.incrementAndGet();
                        } else if (!same(expected.get(which), r.outputs())) {
                            wrong.incrementAndGet();
                        } else {
                            ok.incrementAndGet();
                            lat[(n) & (lat.length - 1)] = t;
                        }
                        statuses.computeIfAbsent(200, s -> new AtomicLong()).incrementAndGet();
                    } catch (InferoClient.ServerError e) {
                        if (e.status() == 503) {
                            rej[n & (rej.length - 1)] = System.nanoTime() - t0;
                        }
                        statuses.computeIfAbsent(e.status(), s -> new AtomicLong()).incrementAndGet();
                    } catch (RuntimeException e) {
                        statuses.computeIfAbsent(-1, s -> new AtomicLong()).incrementAndGet();
                    }
                    n++;
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        long[] all = latencies.stream().flatMapToLong(Arrays::stream).filter(v -> v > 0).sorted().toArray();
        System.out.printf(Locale.ROOT, "clients %d, %d s, %s, %d inputs%n", clients, seconds, encoding, inputs);
        System.out.printf(Locale.ROOT, "answers: %s (-1: transport error)%n", new java.util.TreeMap<>(statuses));
        System.out.printf(Locale.ROOT, "correct %d, wrong outputs %d, lost/mismatched ids %d%n", ok.get(),
                wrong.get(), lost.get());
        System.out.printf(Locale.ROOT, "throughput %.1f correct answers/s%n", ok.get() / elapsed);
        if (all.length > 0) {
            System.out.printf(Locale.ROOT, "latency ms: p50 %.2f, p90 %.2f, p99 %.2f, max %.2f%n",
                    pct(all, 0.50), pct(all, 0.90), pct(all, 0.99), all[all.length - 1] / 1e6);
        }
        long[] rejected = rejections.stream().flatMapToLong(Arrays::stream).filter(v -> v > 0).sorted().toArray();
        if (rejected.length > 0) {
            System.out.printf(Locale.ROOT, "503 answered in ms: p50 %.2f, p99 %.2f%n", pct(rejected, 0.50),
                    pct(rejected, 0.99));
        }
    }

    private static double pct(long[] sorted, double p) {
        return sorted[Math.min(sorted.length - 1, (int) Math.floor(p * sorted.length))] / 1e6;
    }

    private static boolean same(List<Tensor> expected, Map<String, Tensor> got) {
        if (got.size() != expected.size()) {
            return false;
        }
        int i = 0;
        for (Tensor t : got.values()) {
            Tensor e = expected.get(i++);
            if (!Arrays.equals(e.shape(), t.shape()) || !Arrays.equals(e.floats(), t.floats())) {
                return false;
            }
        }
        return true;
    }
}
