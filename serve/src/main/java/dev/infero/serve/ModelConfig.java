package dev.infero.serve;

import java.nio.file.Path;
import java.util.Map;

/**
 * One entry of OpenVINO Model Server's {@code model_config_list}: a model name, its repository ({@code base_path},
 * holding numeric version folders, each with an IR {@code .xml}/{@code .bin} pair or an {@code .onnx} file), the device,
 * the number of infer requests ({@code nireq}, 0: the compiled model's optimal number), the dynamic batch size
 * ({@code batch_size}, 1: no batching), the device properties ({@code plugin_config}) and the version policy.
 *
 * @param name the model name clients use in URLs and requests
 * @param basePath the model repository (version folders), or a single model file served as version 1
 * @param targetDevice the device, {@code CPU} by default
 * @param nireq the infer requests in the version's pool; 0 for the device's optimal number
 * @param batchSize the most requests one inference combines (1: none); needs a model with a batch dimension
 * @param pluginConfig device properties, for example {@code NUM_STREAMS} or {@code PERFORMANCE_HINT}
 * @param versionPolicy which versions to serve
 */
public record ModelConfig(String name, Path basePath, String targetDevice, int nireq, int batchSize,
        Map<String, String> pluginConfig, VersionPolicy versionPolicy) {
    public ModelConfig {
        pluginConfig = Map.copyOf(pluginConfig);
    }

    /** A model served with the defaults: CPU, optimal requests, no batching, the latest version. */
    public static ModelConfig of(String name, Path basePath) {
        return new ModelConfig(name, basePath, "CPU", 0, 1, Map.of(), VersionPolicy.latest());
    }
}
