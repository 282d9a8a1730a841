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
        assertEquals("engine.datasource: unknown key; expected one of type, data_source, stat_requests_number,"
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
        assertTrue(error(VALID.replace("\"simplified\"", "\"accuracy_checker\"")).startsWith(
                "engine.type: expected \"simplified\""));
        assertEquals("compression.algorithms[0].name: expected \"DefaultQuantization\", got"
                + " \"AccuracyAwareQuantization\"", error(VALID.replace("DefaultQuantization",
                "AccuracyAwareQuantization")));
        assertEquals("compression.target_device: expected \"CPU\" or \"ANY\", got \"GPU\"",
                error(VALID.replace("\"CPU\"", "\"GPU\"")));
    }

    @Test
    void invalidJsonGivesLineAndColumn() {
        assertTrue(error("{\"model\": }").startsWith("not valid JSON at line 1, column 11"), error("{\"model\": }"));
    }
}
