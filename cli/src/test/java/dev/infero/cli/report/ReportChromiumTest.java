package dev.infero.cli.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infero.cli.Main;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every HTML report rendered in headless Chromium: it loads with no console message and no network request, every
 * chart has its points and bars in the DOM, and the screenshot is a page of sensible size with ink on it.
 */
class ReportChromiumTest {
    @TempDir
    static Path dir;

    private static HeadlessChromium chromium;
    private static Path demo;

    @BeforeAll
    static void demoModels() {
        chromium = HeadlessChromium.require();
        demo = dir.resolve("demo");
        run(0, "demo", "--output-dir", demo.toString(), "-t", "100");
    }

    private static String run(int expectedCode, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
        assertEquals(expectedCode, code, () -> String.join(" ", args) + "\n" + out + err);
        return out.toString();
    }

    private static int count(String dom, String regex) {
        Matcher m = Pattern.compile(regex).matcher(dom);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }

    /** The part of the DOM inside the chart figure {@code id}. */
    private static String chart(String dom, String id) {
        int start = dom.indexOf("id=\"" + id + "\"");
        assertTrue(start >= 0, "no chart " + id);
        return dom.substring(start, dom.indexOf("</figure>", start));
    }

    private static HeadlessChromium.Page render(Path html) throws Exception {
        HeadlessChromium.Page page = chromium.render(html, dir, 2600);
        assertTrue(page.console().isEmpty(), html + ": console messages " + page.console());
        assertTrue(page.requests().isEmpty(), html + ": network requests " + page.requests());
        assertTrue(page.dom().contains("</html>"), "DOM not dumped for " + html);
        BufferedImage shot = page.screenshot();
        assertNotNull(shot, "no screenshot of " + html);
        assertEquals(HeadlessChromium.WIDTH, shot.getWidth());
        double ink = HeadlessChromium.inkShare(shot);
        assertTrue(ink > 0.02 && ink < 0.6, html + ": " + ink + " of the screenshot is not white");
        return page;
    }

    @Test
    void theChecksCatchConsoleErrorsAndNetworkRequests() throws Exception {
        Path bad = Files.writeString(dir.resolve("bad.html"), "<!DOCTYPE html><html><body><p>x</p><script>"
                + "console.error('broken')</script><img src=\"http://example.invalid/pixel.png\"></body></html>");
        HeadlessChromium.Page page = chromium.render(bad, dir, 400);
        assertTrue(page.console().stream().anyMatch(l -> l.contains("broken")), page.console().toString());
        assertTrue(page.requests().contains("http://example.invalid/pixel.png"), page.requests().toString());
    }

    @Test
    void everyChartOfAFullReportHasItsMarks() throws Exception {
        Path html = dir.resolve("fixture.html");
        HtmlReport.write(ReportFixtures.full(), html);
        String source = Files.readString(html);
        assertFalse(source.contains("<script"), "no script");
        assertFalse(source.matches("(?s).*(href|src)=\"https?:.*"), "no external resource");
        HeadlessChromium.Page page = render(html);
        String dom = page.dom();
        assertEquals(4, count(dom, "<figure class=\"chart\""));
        String latency = chart(dom, "chart-latency");
        assertEquals(3, count(latency, "class=\"bar box\""));
        assertEquals(3 * ReportFixtures.LATENCIES, count(latency, "class=\"point\""));
        // 9 layer types: the 7 slowest by name, the rest as "other", in each of the 3 variants.
        assertEquals(3 * (HtmlReport.TOP_LAYER_TYPES + 1), count(chart(dom, "chart-layers"), "class=\"bar\""));
        assertEquals(2 * ReportFixtures.LAYERS, count(chart(dom, "chart-drift"), "class=\"point\""));
        String speed = chart(dom, "chart-speed");
        assertEquals(3, count(speed, "class=\"point\""));
        assertTrue(speed.contains("data-x=\"1.5\"") || speed.contains("data-series=\"INT8\""), speed);
        assertTrue(dom.contains("accuracy@top1"), "accuracy table");
        assertTrue(dom.contains("Report &lt;fixture&gt;"), "escaped title");
        ImageIO.write(page.screenshot(), "png", dir.resolve("fixture.png").toFile());
    }

    @Test
    void reportCommandAndDemoReport() throws Exception {
        Path fp32 = demo.resolve("demo_fp32.xml");
        Path html = dir.resolve("report.html");
        String out = run(0, "report", "-m", fp32.toString(), "-m", demo.resolve("demo_fp16.xml").toString(), "-m",
                demo.resolve("demo_int8.xml").toString(), "-o", html.toString(), "-t", "150", "--samples", "6",
                "--profile-runs", "3");
        assertTrue(out.contains("Report written to " + html), out);
        for (Path report : new Path[] {html, demo.resolve("report.html")}) {
            String dom = render(report).dom();
            assertEquals(3, count(dom, "<tr><td class=\"l\">(FP32|FP16|INT8)</td>"), report + " summary rows");
            String latency = chart(dom, "chart-latency");
            for (String v : new String[] {"FP32", "FP16", "INT8"}) {
                assertTrue(latency.contains("class=\"point\" data-series=\"" + v + "\""), report + ": " + v);
            }
            assertTrue(count(chart(dom, "chart-layers"), "class=\"bar\"") >= 3, report + ": layer bars");
            String drift = chart(dom, "chart-drift");
            int layers = count(drift, "class=\"point\" data-series=\"INT8 vs FP32\"");
            assertTrue(layers >= 10, report + ": " + layers + " INT8 layers");
            assertEquals(layers, count(drift, "class=\"point\" data-series=\"FP16 vs FP32\""));
            assertEquals(3, count(chart(dom, "chart-speed"), "class=\"point\""));
            assertTrue(dom.contains("infero benchmark -m"), report + ": reproduce commands");
            assertTrue(dom.contains("id=\"machine\""));
        }
    }

    @Test
    void benchmarkCompareAndQuantizeWriteTheirSections() throws Exception {
        Path fp32 = demo.resolve("demo_fp32.xml");
        Path int8 = demo.resolve("demo_int8.xml");
        Path bench = dir.resolve("bench.html");
        run(0, "benchmark", "-m", fp32.toString(), "-m", int8.toString(), "-t", "1", "-api", "sync", "-pc",
                "--report", bench.toString());
        String dom = render(bench).dom();
        assertTrue(count(chart(dom, "chart-latency"), "class=\"point\"") >= 2);
        assertTrue(count(chart(dom, "chart-layers"), "class=\"bar\"") >= 2);

        Path cmp = dir.resolve("compare.html");
        run(0, "compare", fp32.toString(), int8.toString(), "--random", "4", "--per-layer", "--report",
                cmp.toString());
        dom = render(cmp).dom();
        assertTrue(count(chart(dom, "chart-drift"), "class=\"point\"") >= 10);
        assertTrue(dom.contains("infero compare"), "reproduce command");

        Path images = Files.createDirectories(dir.resolve("calibration"));
        Random rnd = new Random(5);
        for (int i = 0; i < 6; i++) {
            BufferedImage img = new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB);
            for (int p = 0; p < 64 * 64; p++) {
                img.setRGB(p % 64, p / 64, rnd.nextInt(1 << 24));
            }
            ImageIO.write(img, "png", images.resolve("img" + i + ".png").toFile());
        }
        Path quant = dir.resolve("quantize.html");
        run(0, "quantize", "-m", fp32.toString(), "--data", images.toString(), "--subset-size", "6",
                "--output-dir", dir.resolve("q").toString(), "-d", "--report", quant.toString());
        dom = render(quant).dom();
        assertTrue(count(chart(dom, "chart-drift"), "class=\"point\"") >= 10);
        assertEquals(2, count(dom, "<tr><td class=\"l\">(FP32|INT8)</td>"));
    }

    @Test
    void accuracySectionShowsMetricsAndSpeedAgainstAccuracy() throws Exception {
        Path json = Files.writeString(dir.resolve("accuracy.json"), """
                {"tool":"infero accuracy","dataset":"imagenet-samples","samples":500,"models":[
                 {"name":"FP32","model":"m_fp32.xml","precision":"FP32","size_bytes":4900000,"latency_ms":3.1,
                  "metrics":[{"name":"accuracy@top1","type":"accuracy","value":0.646,"delta":0.0}]},
                 {"name":"INT8","model":"m_int8.xml","precision":"INT8","size_bytes":1400000,"latency_ms":2.2,
                  "metrics":[{"name":"accuracy@top1","type":"accuracy","value":0.641,"delta":-0.005}]}]}
                """);
        Path html = dir.resolve("accuracy.html");
        SectionReports.accuracy(html, AccuracyFile.read(json), List.of("500 images"), List.of("infero accuracy"));
        String dom = render(html).dom();
        assertEquals(2, count(chart(dom, "chart-speed"), "class=\"point\""));
        assertTrue(dom.contains("0.6410") && dom.contains("-0.0050"), "metric and delta");
        Path bad = Files.writeString(dir.resolve("bad.json"), "{\"models\":[{\"name\":\"a\",\"metrics\":"
                + "[{\"name\":\"top1\",\"value\":\"x\"}]}]}");
        assertEquals("accuracy file " + bad + ": models[0].metrics[0].value must be a number, got \"x\"",
                org.junit.jupiter.api.Assertions.assertThrows(dev.infero.core.InferoException.class,
                        () -> AccuracyFile.read(bad)).getMessage());
    }

    @Test
    void unwritableReportFailsBeforeMeasuring() throws IOException {
        Path file = Files.writeString(dir.resolve("plain"), "x");
        StringWriter err = new StringWriter();
        int code = Main.execute(new PrintWriter(new StringWriter()), new PrintWriter(err, true), "report", "-m",
                demo.resolve("demo_fp32.xml").toString(), "-o", file.resolve("r.html").toString());
        assertEquals(1, code);
        assertTrue(err.toString().startsWith("error: cannot write report " + file.resolve("r.html")), err.toString());
        err = new StringWriter();
        code = Main.execute(new PrintWriter(new StringWriter()), new PrintWriter(err, true), "report", "-m",
                demo.resolve("demo_fp32.xml").toString(), "-o", dir.resolve("r.txt").toString());
        assertEquals(1, code);
        assertEquals("error: report file " + dir.resolve("r.txt") + " must end in .html", err.toString().strip());
    }
}
