package dev.infero.cli;

import static dev.infero.cli.CliRun.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code infero serve} refuses bad command lines and unloadable models with one clear error and exit code 1. */
class ServeCommandTest {
    @TempDir
    Path dir;

    @Test
    void helpListsTheOptionsTheReadmeUses() {
        CliRun r = run("serve", "--help");
        assertEquals(0, r.code());
        for (String option : new String[] {"--config_path", "--model_name", "--port", "--grpc-port", "--nireq",
            "--batch_size", "--plugin_config", "--queue-size", "--max-request-bytes", "--access-log"}) {
            assertTrue(r.out().contains(option), option + " in\n" + r.out());
        }
    }

    @Test
    void badCommandLinesFailWithOneClearError() throws Exception {
        CliRun neither = run("serve", "--port", "0");
        assertEquals(1, neither.code());
        assertTrue(neither.err().startsWith("error: give either a model"), neither.err());
        CliRun missing = run("serve", "-m", dir.resolve("nope.xml").toString(), "--port", "0");
        assertEquals(1, missing.code());
        assertTrue(missing.err().contains("does not exist"), missing.err());
        Path junk = Files.writeString(dir.resolve("junk.onnx"), "not a model");
        CliRun broken = run("serve", "-m", junk.toString(), "--name", "junk", "--port", "0");
        assertEquals(1, broken.code());
        assertTrue(broken.err().contains("model junk has no version to serve") && broken.err().contains("junk.onnx"),
                broken.err());
        CliRun plugin = run("serve", "-m", junk.toString(), "--plugin_config", "{NUM_STREAMS", "--port", "0");
        assertEquals(1, plugin.code());
        assertTrue(plugin.err().contains("--plugin_config is not valid JSON"), plugin.err());
        Path config = Files.writeString(dir.resolve("config.json"), "{\"model_config_list\": [{\"config\": "
                + "{\"name\": \"m\", \"base_path\": \"m\", \"nireq\": \"many\"}}]}");
        CliRun cfg = run("serve", "--config_path", config.toString(), "--port", "0");
        assertEquals(1, cfg.code());
        assertTrue(cfg.err().contains("nireq must be an integer"), cfg.err());
        CliRun both = run("serve", "-c", config.toString(), "--nireq", "2");
        assertEquals(1, both.code());
        assertTrue(both.err().contains("apply to -m"), both.err());
    }
}
