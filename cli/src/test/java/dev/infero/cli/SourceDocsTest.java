package dev.infero.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Issue 18's documentation rules, checked on the source tree this module sits in: every package of main code has a
 * {@code package-info.java} with a paragraph, and every public top-level type of the {@code api} module has Javadoc.
 */
class SourceDocsTest {
    private static final Pattern PUBLIC_TYPE = Pattern.compile(
            "^public\\s+(?:(?:final|abstract|sealed|non-sealed|static)\\s+)*(?:class|interface|record|enum|@interface)\\s+(\\w+)",
            Pattern.MULTILINE);

    private static Path repository() {
        Path root = Path.of("").toAbsolutePath().getParent();
        Assumptions.assumeTrue(root != null && Files.isRegularFile(root.resolve("pom.xml"))
                && Files.isDirectory(root.resolve("core/src/main/java")), "not run inside the source tree");
        return root;
    }

    @Test
    void everyMainPackageHasAPackageInfoWithAParagraph() throws IOException {
        Path root = repository();
        TreeSet<String> missing = new TreeSet<>();
        try (Stream<Path> files = Files.walk(root)) {
            TreeSet<Path> packages = new TreeSet<>();
            files.filter(p -> p.toString().endsWith(".java"))
                    .filter(p -> root.relativize(p).toString().replace('\\', '/').matches("[^/]+/src/main/java/.+"))
                    .filter(p -> !p.toString().contains("/target/"))
                    .forEach(p -> packages.add(p.getParent()));
            for (Path dir : packages) {
                Path info = dir.resolve("package-info.java");
                if (!Files.isRegularFile(info)) {
                    missing.add(root.relativize(dir) + " (no package-info.java)");
                    continue;
                }
                String text = Files.readString(info);
                int doc = text.indexOf("/**");
                int end = text.indexOf("*/", Math.max(doc, 0));
                if (doc < 0 || end < 0 || text.substring(doc + 3, end).replaceAll("[*\\s]", "").length() < 40) {
                    missing.add(root.relativize(info) + " (no paragraph)");
                }
            }
            assertTrue(packages.size() > 40, "found only " + packages.size() + " packages under " + root);
        }
        assertTrue(missing.isEmpty(), "packages without documentation: " + missing);
    }

    @Test
    void everyPublicApiTypeHasJavadoc() throws IOException {
        Path api = repository().resolve("api/src/main/java");
        List<String> missing = new ArrayList<>();
        int checked = 0;
        try (Stream<Path> files = Files.walk(api)) {
            for (Path file : files.filter(p -> p.toString().endsWith(".java")
                    && !p.getFileName().toString().equals("package-info.java")).toList()) {
                String text = Files.readString(file);
                Matcher m = PUBLIC_TYPE.matcher(text);
                if (!m.find()) {
                    continue;
                }
                checked++;
                String before = text.substring(0, m.start()).replaceAll("(?m)^\\s*@[\\w.]+(\\([^)]*\\))?\\s*$", "")
                        .stripTrailing();
                if (!before.endsWith("*/") || before.lastIndexOf("/**") < 0) {
                    missing.add(api.relativize(file).toString());
                }
            }
        }
        assertTrue(checked > 8, "found only " + checked + " public types in " + api);
        assertTrue(missing.isEmpty(), "public api types without Javadoc: " + missing);
    }
}
