package dev.infero.cli;

import dev.infero.core.ResourceLimitException;
import dev.infero.api.AsyncInferQueue;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.infero.core.InferoException;
import dev.infero.serve.InferoServer;
import dev.infero.serve.ModelConfig;
import dev.infero.serve.ServeOptions;
import dev.infero.serve.ServerConfig;
import dev.infero.serve.VersionPolicy;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.logging.Level;
import java.util.logging.Logger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code infero serve}: a KServe v2 model server (REST and gRPC) configured like OpenVINO Model Server. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"Serve models over the KServe v2 inference protocol (REST/JSON with binary tensors, gRPC), "
                + "configured like OpenVINO Model Server.",
            "  infero serve -m model.xml --name face --port 9000 [--grpc-port 9001]",
            "  infero serve --config_path config.json --port 8000 --grpc-port 9000",
            "A model given with -m is a model file (served as version 1) or a repository of numeric version folders. "
                + "config.json and version folders are watched: new versions load before old ones unload; a version "
                + "that fails to load leaves the old one serving. Ctrl-C / SIGTERM stops accepting, finishes requests "
                + "in flight, then exits. See docs/serving.md."})
final class ServeCommand implements Callable<Integer> {
    /** Made on first use: only --plugin_config and --model_version_policy need it, and Jackson's start-up is not free. */
    private static final class Json {
        static final ObjectMapper MAPPER = new ObjectMapper();
    }

    @Spec
    CommandSpec spec;

    @Option(names = {"-m", "--model", "--model_path"}, paramLabel = "PATH",
            description = "Model file (.xml IR or .onnx) or model repository folder (version folders 1, 2, ...).")
    Path model;

    @Option(names = {"--name", "--model_name"}, paramLabel = "NAME",
            description = "Model name in URLs (default: the model file's name without extension).")
    String name;

    @Option(names = {"-c", "--config_path", "--config-path"}, paramLabel = "FILE",
            description = "OpenVINO Model Server config.json (model_config_list); instead of -m.")
    Path config;

    @Option(names = {"--port", "--rest_port", "--rest-port"}, paramLabel = "PORT", defaultValue = "8000",
            description = "REST (HTTP/1.1) port; 0 picks a free one (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = {"--grpc-port", "--grpc_port"}, paramLabel = "PORT", defaultValue = "-1",
            description = "gRPC port (default: no gRPC listener; 0 picks a free one).")
    int grpcPort;

    @Option(names = {"--host", "--bind_address"}, paramLabel = "ADDRESS", defaultValue = "127.0.0.1",
            description = "Address to listen on (default: ${DEFAULT-VALUE}, this machine only).")
    String host;

    @Option(names = {"-d", "--target_device", "--target-device"}, paramLabel = "DEVICE", defaultValue = "CPU",
            description = "Device for -m (default: ${DEFAULT-VALUE}).")
    String device;

    @Option(names = "--nireq", paramLabel = "N", defaultValue = "0",
            description = "Infer requests per model version for -m (default: the device's optimal number).")
    int nireq;

    @Option(names = {"--batch_size", "--batch-size"}, paramLabel = "N", defaultValue = "1",
            description = "Dynamic batching for -m: combine up to N requests in one inference (needs a batch "
                    + "dimension; default: ${DEFAULT-VALUE}, none).")
    int batchSize;

    @Option(names = {"--plugin_config", "--plugin-config"}, paramLabel = "JSON",
            description = "Device properties for -m, e.g. '{\"NUM_STREAMS\": 2}' or "
                    + "'{\"PERFORMANCE_HINT\": \"THROUGHPUT\"}'.")
    String pluginConfig;

    @Option(names = {"--model_version_policy", "--model-version-policy"}, paramLabel = "JSON",
            description = "Versions to serve for -m: '{\"latest\": {\"num_versions\": 2}}', "
                    + "'{\"specific\": {\"versions\": [1, 3]}}' or '{\"all\": {}}' (default: the latest).")
    String versionPolicy;

    @Option(names = "--queue-size", paramLabel = "N", defaultValue = "64",
            description = "Requests each model version queues; beyond that 503 / RESOURCE_EXHAUSTED at once "
                    + "(default: ${DEFAULT-VALUE}).")
    int queueSize;

    @Option(names = "--max-request-bytes", paramLabel = "BYTES", defaultValue = "67108864",
            description = "Largest request body or gRPC message; larger gets 413 (default: ${DEFAULT-VALUE}).")
    long maxRequestBytes;

    @Option(names = "--request-timeout-ms", paramLabel = "MS", defaultValue = "30000",
            description = "Per-request timeout, queueing included; then 504 / DEADLINE_EXCEEDED "
                    + "(default: ${DEFAULT-VALUE}).")
    long requestTimeoutMs;

    @Option(names = "--batch-timeout-us", paramLabel = "US", defaultValue = "1000",
            description = "How long dynamic batching waits for more requests (default: ${DEFAULT-VALUE}).")
    long batchTimeoutUs;

    @Option(names = {"--file_system_poll_wait_seconds", "--poll-seconds"}, paramLabel = "S", defaultValue = "1",
            description = "How often config.json and model folders are checked for changes; 0: never "
                    + "(default: ${DEFAULT-VALUE}).")
    int pollSeconds;

    @Option(names = "--access-log", paramLabel = "FILE",
            description = "Write one JSON line per request to FILE ('-': standard error).")
    String accessLog;

    @Option(names = "--shutdown-grace-ms", paramLabel = "MS", defaultValue = "30000",
            description = "How long shutdown waits for requests in flight (default: ${DEFAULT-VALUE}).")
    long shutdownGraceMs;

    @Override
    public Integer call() throws Exception {
        System.setProperty("java.util.logging.SimpleFormatter.format",
                "%1$tFT%1$tT.%1$tL %4$s %3$s: %5$s%6$s%n");
        Logger.getLogger("io.helidon").setLevel(Level.WARNING);
        Logger.getLogger("io.grpc").setLevel(Level.WARNING);
        PrintWriter err = spec.commandLine().getErr();
        if ((model == null) == (config == null)) {
            throw new InferoException("give either a model (-m model.xml --name NAME) or a config (--config_path "
                    + "config.json)");
        }
        if (config != null && (name != null || pluginConfig != null || versionPolicy != null || nireq != 0
                || batchSize != 1)) {
            throw new InferoException("--name, --nireq, --batch_size, --plugin_config and --model_version_policy "
                    + "apply to -m; with --config_path they go in config.json");
        }
        for (int p : new int[] {port, grpcPort}) {
            if (p < -1 || p > 65535) {
                throw new InferoException("port " + p + " is out of range 0..65535");
            }
        }
        if (queueSize < 1 || maxRequestBytes < 1024 || requestTimeoutMs < 1 || batchTimeoutUs < 0 || pollSeconds < 0
                || nireq < 0 || batchSize < 1) {
            throw new InferoException("--queue-size, --request-timeout-ms and --batch_size must be at least 1, "
                    + "--max-request-bytes at least 1024, --nireq, --batch-timeout-us and "
                    + "--file_system_poll_wait_seconds not negative");
        }
        if (nireq > AsyncInferQueue.MAX_JOBS) {
            throw new ResourceLimitException("--nireq is " + nireq + ", more than " + AsyncInferQueue.MAX_JOBS
                    + " requests per model");
        }
        ServeOptions options = new ServeOptions(host, port, grpcPort, maxRequestBytes, queueSize, requestTimeoutMs,
                batchTimeoutUs, pollSeconds, accessLog, shutdownGraceMs);
        InferoServer server;
        if (config != null) {
            if (!Files.isRegularFile(config)) {
                throw new InferoException("config " + config + " does not exist");
            }
            server = InferoServer.start(config, options);
        } else {
            server = InferoServer.start(List.of(modelConfig()), options);
        }
        Runtime.getRuntime().addShutdownHook(new Thread(server::close, "infero-serve-shutdown"));
        long readyMs = System.currentTimeMillis() - ManagementFactory.getRuntimeMXBean().getStartTime();
        for (String m : server.models().modelNames()) {
            err.println("model " + m + ": versions " + server.models().versions(m));
        }
        long cpuMs = ProcessHandle.current().info().totalCpuDuration().map(d -> d.toMillis()).orElse(-1L);
        err.printf(Locale.ROOT, "infero serve ready in %d ms from JVM start (models %d ms, listeners %d ms; %d ms CPU "
                + "time): REST http://%s:%d%s%n", readyMs, server.loadMillis(), server.listenMillis(), cpuMs, host,
                server.restPort(), server.grpcPort() >= 0 ? ", gRPC " + host + ":" + server.grpcPort() : "");
        err.flush();
        server.awaitTermination();
        return 0;
    }

    private ModelConfig modelConfig() throws Exception {
        if (!Files.exists(model)) {
            throw new InferoException("model " + model + " does not exist");
        }
        String n = name;
        if (n == null) {
            String file = model.getFileName().toString();
            int dot = file.lastIndexOf('.');
            n = Files.isRegularFile(model) && dot > 0 ? file.substring(0, dot) : file;
        }
        Map<String, String> plugin = new LinkedHashMap<>();
        if (pluginConfig != null) {
            JsonNode pc = parse(pluginConfig, "--plugin_config");
            if (!pc.isObject()) {
                throw new InferoException("--plugin_config must be a JSON object, got " + pluginConfig);
            }
            pc.properties().forEach(e -> plugin.put(e.getKey(), e.getValue().asText()));
        }
        VersionPolicy policy = VersionPolicy.latest();
        if (versionPolicy != null) {
            // The same parser as config.json's model_version_policy.
            policy = ServerConfig.policy(parse(versionPolicy, "--model_version_policy"), "--model_version_policy");
        }
        return new ModelConfig(n, model.toAbsolutePath().normalize(), device, nireq, batchSize, plugin, policy);
    }

    private static JsonNode parse(String json, String option) {
        try {
            return Json.MAPPER.readTree(json);
        } catch (Exception e) {
            throw new InferoException(option + " is not valid JSON: " + json);
        }
    }
}
