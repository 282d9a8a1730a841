package dev.infero.cli.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The chart writer: ticks, labels, escaping and one mark per value. */
class SvgTest {
    private static int count(String svg, String regex) {
        Matcher m = Pattern.compile(regex).matcher(svg);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }

    @Test
    void ticksAreRoundAndCoverTheRange() {
        assertArrayEquals(new double[] {0, 20, 40, 60, 80, 100}, Svg.ticks(0, 97, 6), 1e-9);
        assertArrayEquals(new double[] {0.9999, 0.99995, 1.0}, Svg.ticks(0.99991, 0.99999, 2), 1e-12);
        double[] t = Svg.ticks(3.2, 3.2, 5);
        assertTrue(t[0] <= 3.2 && t[t.length - 1] >= 3.2 && t.length > 1);
        assertEquals("0.99995", Svg.tick(0.99995, new double[] {0.9999, 0.99995}));
        assertEquals("40", Svg.tick(40, new double[] {0, 20, 40}));
        assertEquals("0.0", Svg.tick(-1e-17, new double[] {0, 0.1}));
        assertEquals("1.5", Svg.num(1.5));
        assertEquals("1234.5", Svg.num(1234.5));
        assertEquals("1.00e-05", Svg.num(1e-5));
    }

    @Test
    void everyStringIsEscaped() {
        assertEquals("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;", Svg.escape(
                "<script>alert(\"x\")</script> & '"));
        String evil = "<img src=x onerror=alert(1)>";
        String svg = Svg.scatter("s", evil, evil, evil, List.of(new Svg.Point(evil, 1, 2)));
        assertFalse(svg.contains("<img"), svg);
        assertTrue(svg.contains("&lt;img"));
        String html = HtmlReport.render(ReportFixtures.withName(evil));
        assertFalse(html.contains("<img"), "unescaped name in the page");
        assertFalse(html.toLowerCase().contains("<script"));
    }

    @Test
    void boxPlotDrawsABoxMedianAndUpTo300DotsPerRow() {
        double[] many = new double[1000];
        for (int i = 0; i < many.length; i++) {
            many[i] = 1 + i / 1000.0;
        }
        String svg = Svg.boxPlot("b", "Latency", "ms", List.of("FP32", "INT8"), List.of(many, new double[] {2, 3, 4}));
        assertEquals(2, count(svg, "class=\"bar box\""));
        assertEquals(2, count(svg, "class=\"median\""));
        assertEquals(303, count(svg, "class=\"point\""));
        assertTrue(svg.contains("data-series=\"INT8\" data-value=\"3\""), svg);
    }

    @Test
    void stackedBarsHaveOneRectPerNonZeroSegment() {
        String svg = Svg.stackedBars("s", "Time", "ms", List.of("FP32", "INT8"), List.of("Conv", "Add", "other"),
                new double[][] {{2, 1, 0.5}, {1.5, 0, 0.2}});
        assertEquals(5, count(svg, "class=\"bar\""));
        assertEquals(3, count(svg, "class=\"legend\""));
        assertTrue(svg.contains("data-series=\"INT8\" data-segment=\"Conv\" data-value=\"1.5\""), svg);
    }

    @Test
    void lineChartAndScatterHaveOnePointPerFiniteValue() {
        var a = new Svg.Series("INT8 vs FP32", new double[] {1, 2, 3}, new double[] {40, Double.NaN, 35},
                List.of("a", "b", "c"));
        var b = new Svg.Series("FP16 vs FP32", new double[] {1, 2, 3}, new double[] {70, 71, 72},
                List.of("a", "b", "c"));
        String line = Svg.lineChart("l", "Drift", "layer", "dB", List.of(a, b));
        assertEquals(5, count(line, "class=\"point\""));
        assertEquals(2, count(line, "class=\"series\""));
        String scatter = Svg.scatter("s", "Speed", "ms", "acc", List.of(new Svg.Point("FP32", 1.2, 0.7),
                new Svg.Point("INT8", 0.9, 0.69), new Svg.Point("bad", Double.NaN, 1)));
        assertEquals(2, count(scatter, "class=\"point\""));
    }
}
