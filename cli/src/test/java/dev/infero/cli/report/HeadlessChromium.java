package dev.infero.cli.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.awt.image.BufferedImage;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Assumptions;

/**
 * Renders a local HTML file in headless Chromium (Debian's {@code chromium}) without the DevTools protocol: one run
 * dumps the DOM after load ({@code --dump-dom}), takes a screenshot ({@code --screenshot}), logs the page's console
 * to stderr ({@code --enable-logging=stderr}: lines with {@code :CONSOLE}) and records every network request in a
 * NetLog ({@code --log-net-log}); requests the page made carry its {@code file://} network isolation key, while
 * Chromium's own background requests (updates, accounts) carry none and are ignored. Tests call {@link #require},
 * which skips them with the reason when Chromium is not installed (CI installs it, see {@code .ci/run}).
 */
final class HeadlessChromium {
    static final int WIDTH = 1200;

    /** What a page did: its DOM after load, console messages, requests it made, and how it looked. */
    record Page(String dom, List<String> console, List<String> requests, BufferedImage screenshot) {
    }

    private final Path executable;

    private HeadlessChromium(Path executable) {
        this.executable = executable;
    }

    /** The installed Chromium, or the calling test is skipped. */
    static HeadlessChromium require() {
        Path exe = find();
        Assumptions.assumeTrue(exe != null, "headless Chromium is not installed (apt-get install chromium); "
                + "CI installs it");
        return new HeadlessChromium(exe);
    }

    private static Path find() {
        String env = System.getenv("INFERO_CHROMIUM");
        if (env != null && Files.isExecutable(Path.of(env))) {
            return Path.of(env);
        }
        String path = System.getenv("PATH");
        for (String dir : (path == null ? "" : path).split(File.pathSeparator)) {
            for (String name : new String[] {"chromium", "chromium-browser", "google-chrome"}) {
                if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, name))) {
                    return Path.of(dir, name);
                }
            }
        }
        return null;
    }

    /** Loads {@code html} and returns what happened; {@code height} is the window (and screenshot) height. */
    Page render(Path html, Path work, int height) throws IOException, InterruptedException {
        Path profile = Files.createTempDirectory(work, "chromium-profile");
        Path netlog = work.resolve("netlog-" + System.nanoTime() + ".json");
        Path shot = work.resolve("shot-" + System.nanoTime() + ".png");
        Path dom = work.resolve("dom-" + System.nanoTime() + ".html");
        Path log = work.resolve("stderr-" + System.nanoTime() + ".txt");
        List<String> cmd = List.of(executable.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--user-data-dir=" + profile, "--hide-scrollbars",
                "--window-size=" + WIDTH + "," + height, "--enable-logging=stderr", "--v=0",
                "--log-net-log=" + netlog, "--screenshot=" + shot, "--dump-dom",
                html.toAbsolutePath().toUri().toString());
        Process p = new ProcessBuilder(cmd).redirectOutput(dom.toFile()).redirectError(log.toFile()).start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            throw new IllegalStateException("chromium did not finish within 120 s on " + html);
        }
        List<String> console = new ArrayList<>();
        for (String line : Files.readAllLines(log)) {
            if (line.contains(":CONSOLE")) {
                console.add(line);
            }
        }
        BufferedImage image = Files.isRegularFile(shot) ? ImageIO.read(shot.toFile()) : null;
        return new Page(Files.readString(dom), console, pageRequests(netlog), image);
    }

    /** URLs of requests started on behalf of a {@code file://} page (the NetLog's URL_REQUEST_START_JOB events). */
    static List<String> pageRequests(Path netlog) throws IOException {
        List<String> out = new ArrayList<>();
        if (!Files.isRegularFile(netlog)) {
            return out;
        }
        String text = Files.readString(netlog).strip();
        if (!text.endsWith("}")) {
            // Chromium ends the file when it exits; an interrupted log misses the closing brackets.
            text = text.replaceAll(",\\s*$", "") + "]}";
        }
        JsonNode root = new JsonMapper().readTree(text);
        int startJob = root.path("constants").path("logEventTypes").path("URL_REQUEST_START_JOB").asInt(-1);
        for (JsonNode e : root.path("events")) {
            if (e.path("type").asInt() != startJob) {
                continue;
            }
            JsonNode params = e.path("params");
            String nik = params.path("network_isolation_key").asText("");
            String site = params.path("site_for_cookies").asText("");
            if (nik.contains("file://") || site.contains("site=file://")) {
                out.add(params.path("url").asText());
            }
        }
        return out;
    }

    /** Share of pixels in the first 1000 rows that are not (near) white: a blank page has almost none. */
    static double inkShare(BufferedImage image) {
        long ink = 0;
        int rows = Math.min(1000, image.getHeight());
        for (int y = 0; y < rows; y += 2) {
            for (int x = 0; x < image.getWidth(); x += 2) {
                int c = image.getRGB(x, y);
                if (((c >> 16) & 0xFF) < 235 || ((c >> 8) & 0xFF) < 235 || (c & 0xFF) < 235) {
                    ink++;
                }
            }
        }
        return ink / ((image.getWidth() / 2.0) * (rows / 2.0));
    }
}
