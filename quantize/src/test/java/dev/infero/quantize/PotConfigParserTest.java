package dev.infero.quantize;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The POT JSON configuration: what is accepted, and errors that name the JSON path. */
class PotConfigParserTest {
    @TempDir
    Path dir;

    private static final String VALID = """
            {
                // comments as in POT's jstyleson
                "model": {"model_name": "blazeface", "model": "m.xml", "weights": "m.bin"},
                "engine": {"type": "simplified", "data_source": "faces"},   /* a folder of images */
                "compression": {
                    "target_device": "CPU",
                    "algorithms": [{
                        "name": "DefaultQuantization",
                        "params": {
                            "preset": "mixed",
                            "stat_subset_size": 50,
                            "shuffle_data": true,
                            "seed": 3,
                            "ignored": {"scope": ["conv1"], "operations": [{"type": "MatMul"}, "Add"]},
                            "activations": {"range_estimator": {"preset": "quantile"}},
                        }
                    }]
                }
            }
            """;

    @BeforeEach
    void files() throws IOException {
        Files.writeString(dir.resolve("m.xml"), "<net/>");
        Files.writeString(dir.resolve("m.bin"), "");
        Files.createDirectories(dir.resolve("faces"));
    }

    private String error(String json) {
        return assertThrows(PotConfigParser.ConfigException.class, () -> PotConfigParser.parse(json, dir))
                .getMessage();
    }

    @Test
    void readsAFullConfigWithComments() {
        PotConfig c = PotConfigParser.parse(VALID, dir);
        assertEquals("blazeface", c.modelName());
        assertEquals(dir.resolve("m.xml"), c.model());
        assertEquals(dir.resolve("faces"), c.dataSource());
        QuantizationParameters p = c.parameters();
        assertEquals(Preset.MIXED, p.preset());
        assertEquals(50, p.statSubsetSize());
        assertTrue(p.shuffleData());
        assertEquals(3, p.seed());
        assertEquals(List.of("conv1"), p.ignoredScope());
        assertEquals(List.of("MatMul", "Add"), p.ignoredOperations());
        assertEquals(RangeEstimator.QUANTILE, p.rangeEstimator());
        assertTrue(p.fastBiasCorrection());
        assertTrue(c.sourceText().startsWith("{\"model\":{\"model_name\":\"blazeface\""), c.sourceText());
        assertFalse(c.sourceText().contains("//") || c.sourceText().contains("\n"), "comments and line breaks dropped");
    }

    @Test
    void aModelPathThatIsAFileSystemRootIsRefused() {
        // Found by fuzzing (fuzz/.../PotConfigFuzzTestInputs/fuzz/regression-model-root): "/.." used to throw
        // NullPointerException.
        String message = error("{\"model\": {\"model_name\": \"m\", \"model\": \"/..\"}}");
        assertTrue(message.contains("model.model") && message.contains("file system root"), message);
    }

    @Test
    void paramsDefaultToPots() {
        PotConfig c = PotConfigParser.parse("""
                {"model": {"model_name": "m", "model": "m.xml"}, "engine": {"type": "simplified", "data_source": "faces"},
                 "compression": {"algorithms": [{"name": "DefaultQuantization"}]}}""", dir);
        assertEquals(dir.resolve("m.bin"), c.weights(), "the IR's .bin beside the .xml");
        assertEquals("ANY", c.targetDevice());
        assertEquals(QuantizationParameters.defaults(), c.parameters());
        assertFalse(c.parameters().shuffleData());
    }

    @Test
    void wrongPresetNamesThePath() {
        assertEquals("compression.algorithms[0].params.preset: expected \"performance\" or \"mixed\", got \"fast\"",
                error(VALID.replace("\"mixed\"", "\"fast\"")));
    }

    @Test
    void unknownKeyNamesThePath() {
        assertEquals("engine.datasource: unknown key; expected one of type, config, data_source, stat_requests_number,"
                + " eval_requests_number", error(VALID.replace("\"data_source\"", "\"datasource\"")));
    }

    @Test
    void wrongTypesNameThePath() {
        assertEquals("compression.algorithms[0].params.stat_subset_size: expected a non-negative integer, got the"
                + " string \"50\"", error(VALID.replace("50", "\"50\"")));
        assertEquals("compression.algorithms[0].params.shuffle_data: expected true or false, got the string"
                + " \"yes\"", error(VALID.replace("true", "\"yes\"")));
        assertEquals("compression.algorithms[0].params.ignored.scope[0]: expected a string, got the number 7",
                error(VALID.replace("[\"conv1\"]", "[7]")));
        assertEquals("compression.algorithms: expected an array, got an object",
                error(VALID.replace("\"algorithms\": [{", "\"algorithms\": {\"x\": {").replace("}]", "}}")));
    }

    @Test
    void missingFilesAndKeysNameThePath() {
        assertEquals("model.weights: " + dir.resolve("nope.bin") + " does not exist",
                error(VALID.replace("m.bin", "nope.bin")));
        assertEquals("engine.data_source: " + dir.resolve("photos") + " does not exist",
                error(VALID.replace("\"faces\"", "\"photos\"")));
        assertEquals("model.model_name: missing", error(VALID.replace("\"model_name\": \"blazeface\", ", "")));
    }

    @Test
    void onlyWhatInferoImplementsIsAccepted() {
        assertTrue(error(VALID.replace("\"simplified\"", "\"data_free\"")).startsWith(
                "engine.type: expected \"simplified\" or \"accuracy_checker\""));
        assertTrue(error(VALID.replace("\"simplified\"", "\"accuracy_checker\"")).startsWith(
                "engine.data_source: the \"accuracy_checker\" engine takes its data"));
        assertEquals("compression.algorithms[0].name: AccuracyAwareQuantization measures accuracy, so it needs"
                + " engine.type \"accuracy_checker\" with engine.config", error(VALID.replace("DefaultQuantization",
                "AccuracyAwareQuantization")));
        assertEquals("compression.algorithms[0].params.maximal_drop: unknown key; expected one of preset,"
                        + " stat_subset_size, shuffle_data, seed, ignored, use_fast_bias, activations, target_device",
                error(VALID.replace("\"preset\": \"mixed\",", "\"preset\": \"mixed\", \"maximal_drop\": 0.01,")));
        assertEquals("compression.target_device: expected \"CPU\" or \"ANY\", got \"GPU\"",
                error(VALID.replace("\"CPU\"", "\"GPU\"")));
    }

    private static final String AAQ = """
            {
                "model": {"model_name": "m", "model": "m.xml"},
                "engine": {"config": "ac.yml"},
                "compression": {"algorithms": [{"name": "AccuracyAwareQuantization", "params": {
                    "preset": "performance", "stat_subset_size": 30, "maximal_drop": 0.005, "drop_type": "relative",
                    "ranking_subset_size": 20, "max_iter_num": 4, "use_prev_if_drop_increase": false,
                    "metric_subset_ratio": 0.25, "base_algorithm": "DefaultQuantization"}}]}
            }
            """;

    @Test
    void readsAccuracyAwareQuantizationWithTheAccuracyCheckerEngine() throws IOException {
        Files.writeString(dir.resolve("ac.yml"), "models: []");
        PotConfig c = PotConfigParser.parse(AAQ, dir);
        assertEquals("AccuracyAwareQuantization", c.algorithm());
        assertEquals(dir.resolve("ac.yml"), c.accuracyConfig());
        assertEquals(null, c.dataSource());
        assertEquals(new AccuracyAwareParameters(0.005, true, 20, 4, false, 0.25), c.accuracyAware());
        assertEquals(30, c.parameters().statSubsetSize());
        assertEquals(0.1, c.accuracyAware().drop(0.5, 0.45), 1e-12);
        assertEquals("compression.algorithms[0].params.drop_type: expected \"absolute\" or \"relative\", got"
                + " \"percent\"", error(AAQ.replace("\"relative\"", "\"percent\"")));
        assertEquals("compression.algorithms[0].params.maximal_drop: expected a fraction in [0, 1) (0.01 = 1 %),"
                + " got 5.0", error(AAQ.replace("0.005", "5")));
        assertEquals("engine.config: " + dir.resolve("nope.yml") + " does not exist",
                error(AAQ.replace("ac.yml", "nope.yml")));
    }

    @Test
    void invalidJsonGivesLineAndColumn() {
        assertTrue(error("{\"model\": }").startsWith("not valid JSON at line 1, column 11"), error("{\"model\": }"));
    }
}
