package dev.infero.core.frontend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infero.core.InferoException;
import dev.infero.core.graph.Graph;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FrontendsTest {
    /** Accepts files whose content starts with its magic. */
    private record Magic(String name, String magic) implements ModelFrontend {
        @Override
        public boolean accepts(ModelSource source) {
            return new String(source.head()).startsWith(magic);
        }

        @Override
        public Graph read(ModelSource source) {
            return new Graph(name);
        }

        @Override
        public List<String> aliases() {
            return List.of(name + "-alias");
        }
    }

    private final Frontends frontends = new Frontends(List.of(new Magic("aaa", "AAA"), new Magic("bbb", "BBB"),
            new Magic("ab", "AB")));

    @Test
    void picksTheFrontendByContentOrByName(@TempDir Path dir) throws Exception {
        Path b = Files.writeString(dir.resolve("model.bin"), "BBB and more");
        assertEquals("bbb", frontends.select(ModelSource.of(b)).name());
        assertEquals("aaa", frontends.select(new ModelSource(b, null, null, "AAA")).name());
        assertEquals("aaa", frontends.select(new ModelSource(b, null, null, "aaa-alias")).name());
    }

    @Test
    void unknownAmbiguousMissingAndUnnamedFormatsAreErrorsNamingTheFile(@TempDir Path dir) throws Exception {
        Path none = Files.writeString(dir.resolve("x.dat"), "CCC");
        InferoException e = assertThrows(InferoException.class, () -> frontends.select(ModelSource.of(none)));
        assertTrue(e.getMessage().contains("x.dat") && e.getMessage().contains("aaa, bbb, ab"), e.getMessage());
        Path both = Files.writeString(dir.resolve("y.dat"), "AAAB");
        Path ambiguous = Files.writeString(dir.resolve("z.dat"), "AB");
        assertEquals("aaa", frontends.select(ModelSource.of(both)).name());
        assertEquals("ab", frontends.select(ModelSource.of(ambiguous)).name());
        Path abc = Files.writeString(dir.resolve("w.dat"), "AAA");
        Frontends overlapping = new Frontends(List.of(new Magic("aaa", "AAA"), new Magic("a", "A")));
        e = assertThrows(InferoException.class, () -> overlapping.select(ModelSource.of(abc)));
        assertTrue(e.getMessage().contains("aaa and a"), e.getMessage());
        e = assertThrows(InferoException.class, () -> frontends.select(ModelSource.of(dir.resolve("missing.onnx"))));
        assertTrue(e.getMessage().contains("missing.onnx") && e.getMessage().contains("does not exist"), e.getMessage());
        e = assertThrows(InferoException.class, () -> frontends.select(new ModelSource(abc, null, null, "caffe")));
        assertTrue(e.getMessage().contains("--framework 'caffe'"), e.getMessage());
    }
}
