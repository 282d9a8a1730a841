package dev.infero.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infero.core.InferoException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** OpenVINO Model Server's config.json: every field, the version policies, and errors naming the field. */
class ServerConfigTest {
    private static List<ModelConfig> parse(String json) {
        return ServerConfig.parse(json.getBytes(StandardCharsets.UTF_8), Path.of("/srv/config.json"));
    }

    @Test
    void readsEveryField() {
        List<ModelConfig> models = parse("""
                {"model_config_list": [
                  {"config": {"name": "face", "base_path": "models/face", "target_device": "CPU", "nireq": 4,
                              "batch_size": "8", "plugin_config": {"NUM_STREAMS": 2, "PERFORMANCE_HINT": "THROUGHPUT"},
                              "model_version_policy": {"specific": {"versions": [1, 3]}}}},
                  {"config": {"name": "mesh", "base_path": "/abs/mesh"}}
                ]}""");
        ModelConfig face = models.get(0);
        assertEquals("face", face.name());
        assertEquals(Path.of("/srv/models/face"), face.basePath());
        assertEquals(4, face.nireq());
        assertEquals(8, face.batchSize());
        assertEquals(Map.of("NUM_STREAMS", "2", "PERFORMANCE_HINT", "THROUGHPUT"), face.pluginConfig());
        assertEquals(new VersionPolicy.Specific(Set.of(1L, 3L)), face.versionPolicy());
        ModelConfig mesh = models.get(1);
        assertEquals(Path.of("/abs/mesh"), mesh.basePath());
        assertEquals("CPU", mesh.targetDevice());
        assertEquals(0, mesh.nireq());
        assertEquals(1, mesh.batchSize());
        assertEquals(new VersionPolicy.Latest(1), mesh.versionPolicy());
    }

    @Test
    void versionPoliciesSelectFromThePresentVersions() {
        TreeSet<Long> present = new TreeSet<>(List.of(1L, 2L, 5L, 7L));
        assertEquals(Set.of(7L), new VersionPolicy.Latest(1).select(present));
        assertEquals(Set.of(5L, 7L), new VersionPolicy.Latest(2).select(present));
        assertEquals(present, new VersionPolicy.Latest(10).select(present));
        assertEquals(Set.of(2L, 7L), new VersionPolicy.Specific(Set.of(2L, 7L, 9L)).select(present));
        assertEquals(present, new VersionPolicy.All().select(present));
        assertEquals(new VersionPolicy.Latest(3), parse("{\"model_config_list\": [{\"config\": {\"name\": \"m\", "
                + "\"base_path\": \"m\", \"model_version_policy\": {\"latest\": {\"num_versions\": 3}}}}]}")
                .get(0).versionPolicy());
        assertEquals(new VersionPolicy.All(), parse("{\"model_config_list\": [{\"config\": {\"name\": \"m\", "
                + "\"base_path\": \"m\", \"model_version_policy\": {\"all\": {}}}}]}").get(0).versionPolicy());
    }

    private static void rejects(String json, String... fragments) {
        InferoException e = assertThrows(InferoException.class, () -> parse(json));
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), e.getMessage());
        }
    }

    @Test
    void errorsNameTheFileAndTheField() {
        rejects("{\"model_config_list\": [", "/srv/config.json", "not valid JSON");
        rejects("[]", "JSON object");
        rejects("{\"model_config_list\": {}}", "must be an array");
        rejects("{\"model_config_list\": [{\"name\": \"m\"}]}", "model_config_list[0]", "{\"config\"");
        rejects("{\"model_config_list\": [{\"config\": {\"base_path\": \"m\"}}]}", "config.name");
        rejects("{\"model_config_list\": [{\"config\": {\"name\": \"m\"}}]}", "base_path is required");
        rejects("{\"model_config_list\": [{\"config\": {\"name\": \"m\", \"base_path\": \"m\", \"nireq\": -1}}]}",
                "nireq", "-1");
        rejects("{\"model_config_list\": [{\"config\": {\"name\": \"m\", \"base_path\": \"m\", "
                + "\"batch_size\": \"auto\"}}]}", "batch_size", "auto");
        rejects("{\"model_config_list\": [{\"config\": {\"name\": \"m\", \"base_path\": \"m\", \"shape\": \"auto\"}}]}",
                "\"shape\" is not supported");
        rejects("{\"model_config_list\": [{\"config\": {\"name\": \"m\", \"base_path\": \"m\", "
                + "\"model_version_policy\": {\"newest\": {}}}}]}", "unknown policy \"newest\"");
        rejects("{\"model_config_list\": [{\"config\": {\"name\": \"m\", \"base_path\": \"m\", "
                + "\"model_version_policy\": {\"specific\": {\"versions\": [0]}}}}]}", "positive integers");
        rejects("{\"model_config_list\": [{\"config\": {\"name\": \"m\", \"base_path\": \"a\"}},"
                + "{\"config\": {\"name\": \"m\", \"base_path\": \"b\"}}]}", "appears twice");
        rejects("{\"model_config_list\": [], \"pipeline_config_list\": []}", "pipeline_config_list");
    }
}
