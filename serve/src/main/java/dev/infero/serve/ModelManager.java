package dev.infero.serve;

import dev.infero.api.Core;
import dev.infero.core.InferoException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NavigableMap;
import java.util.NavigableSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * The served models and their loaded versions, kept in step with {@code config.json} and the model repositories.
 *
 * <p>{@link #reload()} (called at start and then every poll interval) re-reads the config when its contents changed
 * and, for every model, lists its numeric version folders, selects those its version policy serves and compares each
 * folder's fingerprint (file names, sizes and modification times) with the loaded one. New and changed versions are
 * loaded <em>before</em> anything is unloaded, then swapped in; versions no longer wanted are unloaded after the swap
 * (they finish the requests they took). A version that fails to load is logged with the reason and leaves the
 * previously loaded one serving; it is retried when its folder changes again. A config that fails to parse is logged
 * and the running models stay as they are.
 */
public final class ModelManager implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ModelManager.class.getName());

    /** A model's config, its loaded versions (an immutable snapshot replaced on change) and failed fingerprints. */
    private static final class Served {
        final ModelConfig config;
        volatile NavigableMap<Long, ModelVersion> versions = new TreeMap<>();
        final Map<Long, String> failed = new ConcurrentHashMap<>();

        Served(ModelConfig config) {
            this.config = config;
        }
    }

    private final Core core;
    private final ServeOptions options;
    private final ServerMetrics metrics;
    private final Path configFile;
    private final Map<String, Served> models = new ConcurrentHashMap<>();
    private String configDigest;
    private List<ModelConfig> fixedModels;

    /** Models from {@code configFile} (OVMS config.json), re-read when it changes. */
    public static ModelManager fromConfig(Core core, Path configFile, ServeOptions options, ServerMetrics metrics) {
        return new ModelManager(core, configFile, null, options, metrics);
    }

    /** A fixed list of models (the single-model form); their repositories are still watched. */
    public static ModelManager of(Core core, List<ModelConfig> models, ServeOptions options, ServerMetrics metrics) {
        return new ModelManager(core, null, List.copyOf(models), options, metrics);
    }

    private ModelManager(Core core, Path configFile, List<ModelConfig> fixed, ServeOptions options,
            ServerMetrics metrics) {
        this.core = core;
        this.configFile = configFile;
        this.fixedModels = fixed;
        this.options = options;
        this.metrics = metrics;
    }

    /**
     * The first load: throws an {@link InferoException} naming the model and the reason when the config is invalid or
     * a model has no version that loads, so that a misconfigured server does not start.
     */
    public synchronized void loadInitial() {
        List<ModelConfig> configs = configFile != null ? ServerConfig.read(configFile) : fixedModels;
        if (configFile != null) {
            configDigest = digest(configFile);
        }
        if (configs.isEmpty()) {
            throw new InferoException("no model to serve" + (configFile == null ? "" : ": " + configFile
                    + " has an empty model_config_list"));
        }
        for (ModelConfig c : configs) {
            Served s = new Served(c);
            models.put(c.name(), s);
            List<String> failures = syncVersions(s, false);
            if (s.versions.isEmpty()) {
                close();
                throw new InferoException("model " + c.name() + " has no version to serve"
                        + (failures.isEmpty() ? ": " + c.basePath() + " holds no numeric version folder with a model "
                        + "the version policy " + VersionPolicy.describe(c.versionPolicy()) + " selects"
                        : ": " + String.join("; ", failures)));
            }
        }
    }

    /** Applies changes of the config and the repositories (see the class comment). Never throws. */
    public synchronized void reload() {
        try {
            if (configFile != null) {
                String digest = digest(configFile);
                if (digest != null && !digest.equals(configDigest)) {
                    List<ModelConfig> configs;
                    try {
                        configs = ServerConfig.read(configFile);
                    } catch (InferoException e) {
                        LOG.warning("config " + configFile + " changed but cannot be used; the models keep "
                                + "serving as they were: " + e.getMessage());
                        configDigest = digest;
                        configs = null;
                    }
                    if (configs != null) {
                        configDigest = digest;
                        applyConfig(configs);
                        return;
                    }
                }
            }
            for (Served s : models.values()) {
                syncVersions(s, false);
            }
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "reload failed; the models keep serving as they were", e);
        }
    }

    private void applyConfig(List<ModelConfig> configs) {
        Map<String, ModelConfig> wanted = new LinkedHashMap<>();
        configs.forEach(c -> wanted.put(c.name(), c));
        for (ModelConfig c : wanted.values()) {
            Served old = models.get(c.name());
            if (old != null && old.config.equals(c)) {
                syncVersions(old, false);
                continue;
            }
            Served fresh = new Served(c);
            syncVersions(fresh, true);
            if (old != null && fresh.versions.isEmpty()) {
                LOG.warning("model " + c.name() + ": no version loads with the new config; the old config keeps "
                        + "serving");
                continue;
            }
            models.put(c.name(), fresh);
            LOG.info("model " + c.name() + (old == null ? " added" : " reconfigured") + ": versions "
                    + fresh.versions.keySet());
            if (old != null) {
                retire(new ArrayList<>(old.versions.values()));
            }
        }
        for (String name : List.copyOf(models.keySet())) {
            if (!wanted.containsKey(name)) {
                Served gone = models.remove(name);
                LOG.info("model " + name + " removed from the config: unloading versions " + gone.versions.keySet());
                retire(new ArrayList<>(gone.versions.values()));
            }
        }
    }

    /**
     * Brings one model's loaded versions in line with its repository; returns the load failures. With
     * {@code forceReload} every version is loaded anew (a changed config).
     */
    private List<String> syncVersions(Served s, boolean forceReload) {
        ModelConfig c = s.config;
        Map<Long, Path> present = versionFolders(c);
        NavigableSet<Long> wanted = c.versionPolicy().select(new TreeSet<>(present.keySet()));
        NavigableMap<Long, ModelVersion> current = s.versions;
        NavigableMap<Long, ModelVersion> next = new TreeMap<>();
        List<ModelVersion> retired = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        for (long v : wanted) {
            Path dir = present.get(v);
            String fp = fingerprint(dir);
            ModelVersion loaded = current.get(v);
            if (loaded != null && !forceReload && loaded.fingerprint().equals(fp)) {
                next.put(v, loaded);
                continue;
            }
            if (fp.equals(s.failed.get(v)) && !forceReload) {
                if (loaded != null) {
                    next.put(v, loaded);
                }
                continue;
            }
            try {
                Path file = modelFile(dir, c.name(), v);
                long start = System.nanoTime();
                ModelVersion mv = ModelVersion.load(core, c, v, file, fp, options, metrics);
                next.put(v, mv);
                s.failed.remove(v);
                if (loaded != null) {
                    retired.add(loaded);
                }
                LOG.info(String.format(Locale.ROOT, "model %s version %d %s from %s in %.0f ms (%d inputs, batch %d)",
                        c.name(), v, loaded == null ? "loaded" : "reloaded", file,
                        (System.nanoTime() - start) / 1e6, mv.inputs().size(), mv.batchSize()));
            } catch (RuntimeException e) {
                String reason = "version " + v + " in " + dir + ": " + e.getMessage();
                failures.add(reason);
                s.failed.put(v, fp);
                LOG.warning("model " + c.name() + " " + reason + (loaded != null ? " (version " + v + " as loaded "
                        + "before keeps serving)" : ""));
                if (loaded != null) {
                    next.put(v, loaded);
                }
            }
        }
        // A wanted version that did not load leaves the versions served before in place (while their folders exist):
        // new versions replace old ones only once they load.
        boolean complete = wanted.stream().allMatch(next::containsKey);
        for (Map.Entry<Long, ModelVersion> e : current.entrySet()) {
            if (!complete && !next.containsKey(e.getKey()) && present.containsKey(e.getKey())
                    && !retired.contains(e.getValue())) {
                next.put(e.getKey(), e.getValue());
                LOG.fine("model " + c.name() + " version " + e.getKey() + " keeps serving until the versions "
                        + wanted + " load");
                continue;
            }
            if (!next.containsKey(e.getKey()) && !retired.contains(e.getValue())) {
                retired.add(e.getValue());
                LOG.info("model " + c.name() + " version " + e.getKey() + " is no longer served ("
                        + (present.containsKey(e.getKey()) ? "version policy" : "its folder is gone") + "): unloading");
            }
        }
        s.versions = next;
        if (!forceReload) {
            retire(retired);
        }
        return failures;
    }

    private void retire(List<ModelVersion> versions) {
        for (ModelVersion mv : versions) {
            Thread.ofVirtual().name("unload-" + mv.name() + "-" + mv.version())
                    .start(() -> mv.unload(options.shutdownGraceMillis(), metrics));
        }
    }

    /** Numeric version folders of a repository, or version 1 for a model given as a single file. */
    private static Map<Long, Path> versionFolders(ModelConfig c) {
        Map<Long, Path> out = new TreeMap<>();
        Path base = c.basePath();
        if (Files.isRegularFile(base)) {
            out.put(1L, base);
            return out;
        }
        if (!Files.isDirectory(base)) {
            LOG.warning("model " + c.name() + ": base_path " + base + " does not exist or is not a folder");
            return out;
        }
        try (Stream<Path> children = Files.list(base)) {
            children.filter(Files::isDirectory).forEach(p -> {
                String n = p.getFileName().toString();
                if (n.matches("[0-9]{1,18}") && Long.parseLong(n) > 0) {
                    out.put(Long.parseLong(n), p);
                }
            });
        } catch (IOException e) {
            LOG.warning("model " + c.name() + ": cannot list " + base + ": " + e.getMessage());
        }
        return out;
    }

    /** The model in a version folder: its one .xml (IR, with .bin) or .onnx file. */
    static Path modelFile(Path dir, String model, long version) {
        if (Files.isRegularFile(dir)) {
            return dir;
        }
        List<Path> xml = new ArrayList<>();
        List<Path> onnx = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            files.filter(Files::isRegularFile).forEach(p -> {
                String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
                if (n.endsWith(".xml")) {
                    xml.add(p);
                } else if (n.endsWith(".onnx")) {
                    onnx.add(p);
                }
            });
        } catch (IOException e) {
            throw new InferoException("cannot list " + dir + ": " + e.getMessage(), e);
        }
        List<Path> found = !xml.isEmpty() ? xml : onnx;
        if (found.isEmpty()) {
            throw new InferoException("holds no model (an OpenVINO IR .xml with its .bin, or an .onnx file)");
        }
        if (found.size() > 1) {
            throw new InferoException("holds several models " + found.stream().map(p -> p.getFileName().toString())
                    .sorted().toList() + "; a version folder holds one");
        }
        return found.get(0);
    }

    /** Names, sizes and modification times of a version folder's files. */
    private static String fingerprint(Path dir) {
        StringBuilder sb = new StringBuilder();
        try (Stream<Path> files = Files.isRegularFile(dir) ? Stream.of(dir) : Files.walk(dir, 4)) {
            files.filter(Files::isRegularFile).sorted().forEach(p -> {
                try {
                    sb.append(p).append('|').append(Files.size(p)).append('|')
                            .append(Files.getLastModifiedTime(p).toMillis()).append('\n');
                } catch (IOException e) {
                    sb.append(p).append("|gone\n");
                }
            });
        } catch (IOException | RuntimeException e) {
            sb.append("unreadable:").append(e.getMessage());
        }
        return sb.toString();
    }

    private static String digest(Path file) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
        } catch (IOException e) {
            LOG.warning("cannot read config " + file + ": " + e.getMessage());
            return null;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The version a request addresses: {@code version} (a number) or, when null or empty, the highest loaded one.
     * 404 for an unknown model or version, 503 for a model without a loaded version.
     */
    public ModelVersion resolve(String name, String version) {
        Served s = models.get(name);
        if (s == null) {
            throw ServeException.notFound("model '" + name + "' is not served; served models: "
                    + new TreeSet<>(models.keySet()));
        }
        NavigableMap<Long, ModelVersion> versions = s.versions;
        if (version == null || version.isEmpty()) {
            if (versions.isEmpty()) {
                throw new ServeException(ServeException.Kind.UNAVAILABLE, "model '" + name + "' has no version "
                        + "loaded");
            }
            return versions.lastEntry().getValue();
        }
        long v;
        try {
            v = Long.parseLong(version);
        } catch (NumberFormatException e) {
            throw ServeException.notFound("model '" + name + "' has no version '" + version + "' (versions are "
                    + "numbers)");
        }
        ModelVersion mv = versions.get(v);
        if (mv == null) {
            throw ServeException.notFound("model '" + name + "' has no version " + version + "; loaded versions: "
                    + versions.keySet());
        }
        return mv;
    }

    /** The loaded versions of a model, ascending; 404 for an unknown model. */
    public List<Long> versions(String name) {
        Served s = models.get(name);
        if (s == null) {
            throw ServeException.notFound("model '" + name + "' is not served");
        }
        return List.copyOf(s.versions.keySet());
    }

    /** Names of the served models. */
    public List<String> modelNames() {
        return List.copyOf(new TreeSet<>(models.keySet()));
    }

    /** Requests waiting or running over every loaded version. */
    int inFlight() {
        int n = 0;
        for (Served s : models.values()) {
            for (ModelVersion mv : s.versions.values()) {
                n += mv.inFlight();
            }
        }
        return n;
    }

    /** Unloads everything, finishing the requests taken (up to the shutdown grace period). */
    @Override
    public synchronized void close() {
        List<Thread> unloading = new ArrayList<>();
        for (Served s : models.values()) {
            for (ModelVersion mv : s.versions.values()) {
                unloading.add(Thread.ofVirtual().start(() -> mv.unload(options.shutdownGraceMillis(), metrics)));
            }
            s.versions = new TreeMap<>();
        }
        models.clear();
        for (Thread t : unloading) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
