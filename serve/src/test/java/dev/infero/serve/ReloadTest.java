package dev.infero.serve;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infero.core.tensor.Tensor;
import dev.infero.serve.client.InferoClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hot reload: new versions load before old ones unload, a version that fails to load leaves the old one serving, a
 * deleted model folder unloads cleanly while requests keep coming, and config.json changes add and remove models.
 */
class ReloadTest {
    @TempDir
    Path dir;

    private static void delete(Path p) throws IOException {
        try (Stream<Path> files = Files.walk(p)) {
            for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(f);
            }
        }
    }

    private static float[] y(InferoClient client, String model, String version, Tensor x) {
        return client.infer(model, version, Map.of("x", x), InferoClient.Encoding.BINARY).outputs().get("y").floats();
    }

    @Test
    void versionsComeAndGoWithTheirFolders() throws Exception {
        Path repo = dir.resolve("models/conv");
        Path v1 = TestModels.conv(repo.resolve("1/model.onnx"), 1);
        Files.writeString(dir.resolve("config.json"), "{\"model_config_list\": [{\"config\": {\"name\": \"conv\", "
                + "\"base_path\": \"models/conv\"}}]}");
        Tensor x = TestModels.randomF32(31, 1, 3, 8, 8);
        try (InferoServer server = InferoServer.start(dir.resolve("config.json"),
                TestServers.restOnly())) {
            InferoClient client = TestServers.client(server);
            assertArrayEquals(TestModels.local(v1, Map.of("x", x)).get(0).floats(), y(client, "conv", null, x));

            // A new version: served once loaded; the latest policy then unloads version 1.
            Path v2 = TestModels.conv(repo.resolve("2/model.onnx"), 2);
            server.reloadNow();
            assertEquals(List.of(2L), server.models().versions("conv"));
            assertArrayEquals(TestModels.local(v2, Map.of("x", x)).get(0).floats(), y(client, "conv", null, x));
            InferoClient.ServerError gone = org.junit.jupiter.api.Assertions.assertThrows(
                    InferoClient.ServerError.class, () -> y(client, "conv", "1", x));
            assertEquals(404, gone.status());

            // A broken version 3: version 2 keeps serving.
            Files.createDirectories(repo.resolve("3"));
            Files.writeString(repo.resolve("3/model.onnx"), "not a model");
            server.reloadNow();
            assertEquals(List.of(2L), server.models().versions("conv"));
            assertArrayEquals(TestModels.local(v2, Map.of("x", x)).get(0).floats(), y(client, "conv", null, x));

            // Version 3 fixed: it replaces version 2.
            Path v3 = TestModels.conv(repo.resolve("3/model.onnx"), 3);
            Files.setLastModifiedTime(v3, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis()
                    + 5000));
            server.reloadNow();
            assertEquals(List.of(3L), server.models().versions("conv"));
            assertArrayEquals(TestModels.local(v3, Map.of("x", x)).get(0).floats(), y(client, "conv", "3", x));
        }
    }

    @Test
    void modelFolderDeletedWhileServingAnswersWithProtocolErrorsAndComesBack() throws Exception {
        Path repo = dir.resolve("conv");
        Path v1 = TestModels.conv(repo.resolve("1/model.onnx"), 1);
        Path other = TestModels.conv(dir.resolve("other.onnx"), 9);
        Tensor x = TestModels.randomF32(32, 1, 3, 8, 8);
        float[] expected = TestModels.local(v1, Map.of("x", x)).get(0).floats();
        try (InferoServer server = InferoServer.start(List.of(ModelConfig.of("conv", repo),
                ModelConfig.of("other", other)), TestServers.restOnly())) {
            InferoClient client = TestServers.client(server);
            AtomicBoolean stop = new AtomicBoolean();
            Set<Integer> statuses = ConcurrentHashMap.newKeySet();
            AtomicInteger wrong = new AtomicInteger();
            Thread load = Thread.ofPlatform().start(() -> {
                while (!stop.get()) {
                    try {
                        float[] got = y(client, "conv", null, x);
                        statuses.add(200);
                        if (!java.util.Arrays.equals(expected, got)) {
                            wrong.incrementAndGet();
                        }
                    } catch (InferoClient.ServerError e) {
                        statuses.add(e.status());
                    }
                }
            });
            Thread.sleep(100);
            delete(repo);
            server.reloadNow();
            Thread.sleep(200);
            assertEquals(List.of(), server.models().versions("conv"));
            InferoClient.ServerError e = org.junit.jupiter.api.Assertions.assertThrows(InferoClient.ServerError.class,
                    () -> y(client, "conv", null, x));
            assertEquals(503, e.status());
            assertTrue(e.getMessage().contains("no version loaded"), e.getMessage());
            assertTrue(!client.isModelReady("conv", null));
            // The other model is unaffected.
            assertArrayEquals(TestModels.local(other, Map.of("x", x)).get(0).floats(), y(client, "other", null, x));
            // The folder comes back: so does the model.
            TestModels.conv(repo.resolve("1/model.onnx"), 1);
            server.reloadNow();
            Thread.sleep(100);
            stop.set(true);
            load.join();
            assertEquals(List.of(1L), server.models().versions("conv"));
            assertArrayEquals(expected, y(client, "conv", null, x));
            assertEquals(0, wrong.get());
            assertTrue(Set.of(200, 503).containsAll(statuses), statuses.toString());
            assertTrue(client.isReady());
        }
    }

    @Test
    void configChangesAddAndRemoveModelsAndABrokenConfigChangesNothing() throws Exception {
        Path a = TestModels.conv(dir.resolve("a/1/a.onnx"), 1);
        Path b = TestModels.conv(dir.resolve("b/1/b.onnx"), 2);
        Path config = dir.resolve("config.json");
        Files.writeString(config, "{\"model_config_list\": [{\"config\": {\"name\": \"a\", \"base_path\": \"a\"}}]}");
        Tensor x = TestModels.randomF32(33, 1, 3, 8, 8);
        try (InferoServer server = InferoServer.start(config, TestServers.restOnly())) {
            InferoClient client = TestServers.client(server);
            assertEquals(List.of("a"), server.models().modelNames());
            Files.writeString(config, "{\"model_config_list\": [{\"config\": {\"name\": \"a\", \"base_path\": \"a\"}},"
                    + "{\"config\": {\"name\": \"b\", \"base_path\": \"b\", \"nireq\": 1}}]}");
            server.reloadNow();
            assertEquals(List.of("a", "b"), server.models().modelNames());
            assertArrayEquals(TestModels.local(b, Map.of("x", x)).get(0).floats(), y(client, "b", null, x));
            Files.writeString(config, "{\"model_config_list\": [ {\"config\": ");
            server.reloadNow();
            assertEquals(List.of("a", "b"), server.models().modelNames());
            Files.writeString(config, "{\"model_config_list\": [{\"config\": {\"name\": \"b\", \"base_path\": \"b\"}}]}");
            server.reloadNow();
            assertEquals(List.of("b"), server.models().modelNames());
            InferoClient.ServerError e = org.junit.jupiter.api.Assertions.assertThrows(InferoClient.ServerError.class,
                    () -> y(client, "a", null, x));
            assertEquals(404, e.status());
            assertArrayEquals(TestModels.local(b, Map.of("x", x)).get(0).floats(), y(client, "b", null, x));
            assertTrue(a.toFile().exists());
        }
    }

    @Test
    void thePollerPicksUpNewVersionsByItself() throws Exception {
        Path repo = dir.resolve("conv");
        TestModels.conv(repo.resolve("1/m.onnx"), 1);
        try (InferoServer server = InferoServer.start(List.of(ModelConfig.of("conv", repo)),
                ServeOptions.defaults().withPorts(0, -1).withPollSeconds(1))) {
            TestModels.conv(repo.resolve("5/m.onnx"), 5);
            long until = System.nanoTime() + 20_000_000_000L;
            while (!server.models().versions("conv").equals(List.of(5L)) && System.nanoTime() < until) {
                Thread.sleep(100);
            }
            assertEquals(List.of(5L), server.models().versions("conv"));
        }
    }
}
