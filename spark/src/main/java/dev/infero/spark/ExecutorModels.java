package dev.infero.spark;

import dev.infero.api.CompiledModel;
import dev.infero.api.Core;
import dev.infero.api.InferRequest;
import dev.infero.core.InferoException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.Stream;

/**
 * The compiled models of one JVM (a Spark executor, or the driver in local mode): each model, keyed by its bundle's
 * hash, device and configuration, is compiled once however many tasks and jobs use it, and keeps a pool of idle
 * {@link InferRequest}s so that every concurrently running task thread has its own request.
 */
public final class ExecutorModels {
    private static final Map<String, Entry> MODELS = new ConcurrentHashMap<>();

    private ExecutorModels() {
    }

    /** A compiled model and its idle requests. */
    static final class Entry {
        final CompiledModel compiled;
        private final ConcurrentLinkedQueue<InferRequest> idle = new ConcurrentLinkedQueue<>();

        Entry(CompiledModel compiled) {
            this.compiled = compiled;
        }

        /** A request no other thread uses until it is {@link #release}d. */
        InferRequest acquire() {
            InferRequest r = idle.poll();
            return r != null ? r : compiled.createInferRequest();
        }

        void release(InferRequest request) {
            idle.add(request);
        }
    }

    /** The compiled model for {@code bundle}: compiled on first use in this JVM, shared afterwards. */
    static Entry get(ModelBundle bundle, String device, Map<String, String> config) {
        String key = bundle.sha256() + "|" + device + "|" + new TreeMap<>(config);
        Entry e = MODELS.get(key);
        if (e != null) {
            return e;
        }
        // computeIfAbsent blocks concurrent tasks of this JVM on the one compilation instead of compiling twice.
        return MODELS.computeIfAbsent(key, k -> new Entry(compile(bundle, device, config)));
    }

    private static CompiledModel compile(ModelBundle bundle, String device, Map<String, String> config) {
        Path dir;
        try {
            dir = Files.createTempDirectory("infero-spark-" + bundle.sha256().substring(0, 12) + "-");
        } catch (IOException e) {
            throw new InferoException("cannot create a temporary folder for model " + bundle.modelFile() + ": "
                    + e.getMessage(), e);
        }
        try (Core core = new Core()) {
            Path model = bundle.writeTo(dir);
            return core.compileModel(core.readModel(model), device, config);
        } finally {
            deleteTree(dir);
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temporary folder left behind is harmless
        }
    }

    /** How many distinct compiled models this JVM holds (for tests and diagnostics). */
    public static int size() {
        return MODELS.size();
    }

    /** Closes and forgets every compiled model of this JVM. */
    public static void clear() {
        MODELS.values().forEach(e -> e.compiled.close());
        MODELS.clear();
    }
}
