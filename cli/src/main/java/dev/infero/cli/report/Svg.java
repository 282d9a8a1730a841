package dev.infero.cli.report;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The report's charts as inline SVG: box-and-strip plots, stacked bars, line charts and scatter plots, with axes,
 * "nice" ticks, legends and a {@code <title>} tooltip on every mark. Every string is escaped; every mark carries its
 * value in {@code data-*} attributes ({@code class="point"} for points, {@code class="bar"} for bars) so tests and
 * tools can read the numbers back from the DOM. No script, no external font: the SVG renders offline.
 */
public final class Svg {
    /** Series colours (Okabe–Ito, distinguishable with common colour blindness). */
    static final String[] PALETTE = {"#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442",
        "#000000", "#999999"};

    private static final int WIDTH = 760;
    private static final int LEFT = 150;
    private static final int RIGHT = 24;
    private static final int TOP = 34;

    /** A named series of (x, y) points, each with a tooltip. */
    public record Series(String name, double[] x, double[] y, List<String> tips) {
        public Series {
            if (x.length != y.length || tips.size() != x.length) {
                throw new IllegalArgumentException("series " + name + ": " + x.length + " x, " + y.length + " y, "
                        + tips.size() + " tips");
            }
        }
    }

    /** One labelled point of a scatter plot. */
    public record Point(String label, double x, double y) {
    }

    private Svg() {
    }

    /** Text escaped for HTML/SVG content and attribute values. */
    public static String escape(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> sb.append("&amp;");
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '"' -> sb.append("&quot;");
                case '\'' -> sb.append("&#39;");
                default -> {
                    if (c < 0x20 && c != '\n' && c != '\t') {
                        sb.append(' ');
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.toString();
    }

    /**
     * About {@code count} round tick values covering {@code [min, max]} (steps of 1, 2 or 5 × 10^k), first ≤ min,
     * last ≥ max.
     */
    public static double[] ticks(double min, double max, int count) {
        if (!Double.isFinite(min) || !Double.isFinite(max)) {
            return new double[] {0, 1};
        }
        if (max <= min) {
            double pad = Math.abs(min) > 0 ? Math.abs(min) * 0.1 : 1;
            min -= pad;
            max += pad;
        }
        double raw = (max - min) / Math.max(1, count);
        double mag = Math.pow(10, Math.floor(Math.log10(raw)));
        double step = mag * (raw / mag <= 1 ? 1 : raw / mag <= 2 ? 2 : raw / mag <= 5 ? 5 : 10);
        double first = Math.floor(min / step) * step;
        double last = Math.ceil(max / step) * step;
        int n = (int) Math.round((last - first) / step) + 1;
        double[] t = new double[n];
        for (int i = 0; i < n; i++) {
            t[i] = first + i * step;
        }
        return t;
    }

    /** A number for an axis label or tooltip: up to 4 significant digits, no exponent for ordinary sizes. */
    public static String num(double v) {
        if (v == 0) {
            return "0";
        }
        double a = Math.abs(v);
        if (a >= 1e6 || a < 1e-3) {
            return String.format(Locale.ROOT, "%.3g", v);
        }
        String s = String.format(Locale.ROOT, a >= 100 ? "%.1f" : a >= 1 ? "%.3f" : "%.4f", v);
        s = s.contains(".") ? s.replaceAll("0+$", "").replaceAll("\\.$", "") : s;
        return s;
    }

    /**
     * Latency distributions, one row per variant: box from the 25th to the 75th percentile, whiskers to the 5th
     * and 95th, the median as a thick line, and up to 300 of the samples as dots (evenly picked, jittered
     * vertically).
     */
    public static String boxPlot(String id, String title, String unit, List<String> rows, List<double[]> samples) {
        int rowH = 44;
        int height = TOP + rows.size() * rowH + 46;
        double lo = Double.MAX_VALUE;
        double hi = -Double.MAX_VALUE;
        List<double[]> sorted = new ArrayList<>();
        for (double[] s : samples) {
            double[] c = s.clone();
            Arrays.sort(c);
            sorted.add(c);
            if (c.length > 0) {
                lo = Math.min(lo, c[0]);
                hi = Math.max(hi, percentile(c, 99));
            }
        }
        if (lo > hi) {
            lo = 0;
            hi = 1;
        }
        double[] t = ticks(Math.max(0, lo - (hi - lo) * 0.05), hi, 6);
        Scale x = new Scale(t[0], t[t.length - 1], LEFT, WIDTH - RIGHT);
        StringBuilder sb = open(id, "box", title, height);
        xAxis(sb, x, t, TOP, TOP + rows.size() * rowH, unit);
        for (int r = 0; r < rows.size(); r++) {
            double[] c = sorted.get(r);
            String color = PALETTE[r % PALETTE.length];
            double cy = TOP + r * rowH + rowH / 2.0;
            label(sb, LEFT - 8, cy + 4, "end", rows.get(r));
            if (c.length == 0) {
                continue;
            }
            double p5 = percentile(c, 5);
            double p25 = percentile(c, 25);
            double p50 = percentile(c, 50);
            double p75 = percentile(c, 75);
            double p90 = percentile(c, 90);
            double p95 = percentile(c, 95);
            sb.append(String.format(Locale.ROOT, "<line class=\"whisker\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" "
                    + "y2=\"%.1f\" stroke=\"%s\"/>%n", x.at(p5), x.at(p95), cy, cy, color));
            sb.append(String.format(Locale.ROOT, "<rect class=\"bar box\" data-series=\"%s\" data-p25=\"%s\" "
                            + "data-p75=\"%s\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%d\" fill=\"%s\" "
                            + "fill-opacity=\"0.25\" stroke=\"%s\"><title>%s</title></rect>%n",
                    escape(rows.get(r)), num(p25), num(p75), x.at(p25), cy - 12, Math.max(1, x.at(p75) - x.at(p25)),
                    24, color, color, escape(rows.get(r) + ": median " + num(p50) + " " + unit + ", p90 " + num(p90)
                            + ", p25–p75 " + num(p25) + "–" + num(p75) + ", " + c.length + " samples")));
            sb.append(String.format(Locale.ROOT, "<line class=\"median\" data-series=\"%s\" data-value=\"%s\" "
                    + "x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"3\"/>%n",
                    escape(rows.get(r)), num(p50), x.at(p50), x.at(p50), cy - 14, cy + 14, color));
            int shown = Math.min(300, c.length);
            for (int i = 0; i < shown; i++) {
                double v = c[(int) ((long) i * c.length / shown)];
                if (v > t[t.length - 1]) {
                    continue;
                }
                double jitter = (((i * 7919L) % 97) / 96.0 - 0.5) * 18;
                sb.append(String.format(Locale.ROOT, "<circle class=\"point\" data-series=\"%s\" data-x=\"%s\" "
                        + "cx=\"%.1f\" cy=\"%.1f\" r=\"1.6\" fill=\"%s\" fill-opacity=\"0.55\"/>%n",
                        escape(rows.get(r)), num(v), x.at(v), cy + jitter, color));
            }
        }
        return close(sb);
    }

    /**
     * One horizontal stacked bar per row: {@code values[row][segment]}, segments named and coloured alike in every
     * row, with a legend.
     */
    public static String stackedBars(String id, String title, String unit, List<String> rows, List<String> segments,
                                     double[][] values) {
        int rowH = 34;
        int legendRows = (segments.size() + 3) / 4;
        int height = TOP + rows.size() * rowH + 60 + legendRows * 18;
        double max = 0;
        for (double[] row : values) {
            max = Math.max(max, Arrays.stream(row).sum());
        }
        double[] t = ticks(0, max > 0 ? max : 1, 6);
        Scale x = new Scale(0, t[t.length - 1], LEFT, WIDTH - RIGHT);
        StringBuilder sb = open(id, "stacked", title, height);
        int bottom = TOP + rows.size() * rowH;
        xAxis(sb, x, t, TOP, bottom, unit);
        for (int r = 0; r < rows.size(); r++) {
            double y = TOP + r * rowH + 6;
            label(sb, LEFT - 8, y + 15, "end", rows.get(r));
            double acc = 0;
            double total = Arrays.stream(values[r]).sum();
            for (int s = 0; s < segments.size(); s++) {
                double v = values[r][s];
                if (v <= 0) {
                    continue;
                }
                sb.append(String.format(Locale.ROOT, "<rect class=\"bar\" data-series=\"%s\" data-segment=\"%s\" "
                                + "data-value=\"%s\" x=\"%.1f\" y=\"%.1f\" width=\"%.2f\" height=\"22\" fill=\"%s\">"
                                + "<title>%s</title></rect>%n", escape(rows.get(r)), escape(segments.get(s)), num(v),
                        x.at(acc), y, Math.max(0.5, x.at(acc + v) - x.at(acc)), PALETTE[s % PALETTE.length],
                        escape(rows.get(r) + " · " + segments.get(s) + ": " + num(v) + " " + unit + " ("
                                + String.format(Locale.ROOT, "%.1f", total > 0 ? 100 * v / total : 0) + " %)")));
                acc += v;
            }
        }
        legend(sb, segments, bottom + 50);
        return close(sb);
    }

    /** Lines with point markers; {@code logY}: none (linear axis) — values are plotted as given. */
    public static String lineChart(String id, String title, String xLabel, String yLabel, List<Series> series) {
        int plotH = 260;
        int height = TOP + plotH + 64 + ((series.size() + 3) / 4) * 18;
        double[] xr = range(series, true);
        double[] yr = range(series, false);
        double[] tx = ticks(xr[0], xr[1], 8);
        double[] ty = ticks(yr[0], yr[1], 6);
        Scale x = new Scale(tx[0], tx[tx.length - 1], 70, WIDTH - RIGHT);
        Scale y = new Scale(ty[0], ty[ty.length - 1], TOP + plotH, TOP);
        StringBuilder sb = open(id, "line", title, height);
        axes(sb, x, y, tx, ty, xLabel, yLabel, TOP + plotH);
        for (int s = 0; s < series.size(); s++) {
            Series se = series.get(s);
            String color = PALETTE[s % PALETTE.length];
            StringBuilder path = new StringBuilder();
            for (int i = 0; i < se.x().length; i++) {
                if (!Double.isFinite(se.y()[i])) {
                    continue;
                }
                path.append(path.isEmpty() ? "M" : " L").append(String.format(Locale.ROOT, "%.1f %.1f",
                        x.at(se.x()[i]), y.at(se.y()[i])));
            }
            sb.append(String.format(Locale.ROOT, "<path class=\"series\" data-series=\"%s\" d=\"%s\" fill=\"none\" "
                    + "stroke=\"%s\" stroke-width=\"1.5\"/>%n", escape(se.name()), path, color));
            for (int i = 0; i < se.x().length; i++) {
                if (!Double.isFinite(se.y()[i])) {
                    continue;
                }
                sb.append(String.format(Locale.ROOT, "<circle class=\"point\" data-series=\"%s\" data-x=\"%s\" "
                                + "data-y=\"%s\" cx=\"%.1f\" cy=\"%.1f\" r=\"2.6\" fill=\"%s\"><title>%s</title>"
                                + "</circle>%n", escape(se.name()), num(se.x()[i]), num(se.y()[i]), x.at(se.x()[i]),
                        y.at(se.y()[i]), color, escape(se.tips().get(i))));
            }
        }
        legend(sb, series.stream().map(Series::name).toList(), TOP + plotH + 52);
        return close(sb);
    }

    /** Labelled points, e.g. speed against accuracy. */
    public static String scatter(String id, String title, String xLabel, String yLabel, List<Point> points) {
        int plotH = 260;
        int height = TOP + plotH + 50;
        double[] tx = ticks(0, points.stream().mapToDouble(Point::x).filter(Double::isFinite).max().orElse(1) * 1.1,
                6);
        double ylo = points.stream().mapToDouble(Point::y).filter(Double::isFinite).min().orElse(0);
        double yhi = points.stream().mapToDouble(Point::y).filter(Double::isFinite).max().orElse(1);
        double pad = Math.max((yhi - ylo) * 0.15, Math.abs(yhi) * 1e-4 + 1e-9);
        double[] ty = ticks(ylo - pad, yhi + pad, 6);
        Scale x = new Scale(tx[0], tx[tx.length - 1], 70, WIDTH - RIGHT - 60);
        Scale y = new Scale(ty[0], ty[ty.length - 1], TOP + plotH, TOP);
        StringBuilder sb = open(id, "scatter", title, height);
        axes(sb, x, y, tx, ty, xLabel, yLabel, TOP + plotH);
        for (int i = 0; i < points.size(); i++) {
            Point p = points.get(i);
            if (!Double.isFinite(p.x()) || !Double.isFinite(p.y())) {
                continue;
            }
            String color = PALETTE[i % PALETTE.length];
            sb.append(String.format(Locale.ROOT, "<circle class=\"point\" data-series=\"%s\" data-x=\"%s\" "
                            + "data-y=\"%s\" cx=\"%.1f\" cy=\"%.1f\" r=\"6\" fill=\"%s\"><title>%s</title></circle>%n",
                    escape(p.label()), num(p.x()), num(p.y()), x.at(p.x()), y.at(p.y()), color,
                    escape(p.label() + ": " + xLabel + " " + num(p.x()) + ", " + yLabel + " " + num(p.y()))));
            // Alternate label sides so that variants with near-equal values stay readable.
            boolean left = i % 2 == 1;
            label(sb, x.at(p.x()) + (left ? -9 : 9), y.at(p.y()) + (left ? -6 : 4), left ? "end" : "start",
                    p.label());
        }
        return close(sb);
    }

    /** A tick label with as many decimals as the tick step needs (ticks 0.99990, 0.99995 stay distinct). */
    static String tick(double v, double[] ticks) {
        double step = ticks.length > 1 ? Math.abs(ticks[1] - ticks[0]) : Math.abs(v);
        if (step == 0 || !Double.isFinite(step)) {
            return num(v);
        }
        int decimals = (int) Math.max(0, Math.ceil(-Math.log10(step) - 1e-9));
        if (decimals > 8 || Math.abs(v) >= 1e7) {
            return String.format(Locale.ROOT, "%.3g", v);
        }
        return String.format(Locale.ROOT, "%." + decimals + "f", Math.abs(v) < step / 2 ? 0.0 : v);
    }

    /** {@code sorted[floor(n·p/100)]}, as benchmark_app's percentile. */
    static double percentile(double[] sorted, double p) {
        int i = (int) Math.floor(sorted.length * p / 100);
        return sorted[Math.clamp(i, 0, sorted.length - 1)];
    }

    private record Scale(double min, double max, double from, double to) {
        double at(double v) {
            double f = max == min ? 0.5 : (v - min) / (max - min);
            return from + f * (to - from);
        }
    }

    private static double[] range(List<Series> series, boolean xs) {
        double lo = Double.MAX_VALUE;
        double hi = -Double.MAX_VALUE;
        for (Series s : series) {
            for (double v : xs ? s.x() : s.y()) {
                if (Double.isFinite(v)) {
                    lo = Math.min(lo, v);
                    hi = Math.max(hi, v);
                }
            }
        }
        return lo > hi ? new double[] {0, 1} : new double[] {lo, hi};
    }

    private static StringBuilder open(String id, String kind, String title, int height) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "<figure class=\"chart\" id=\"%s\" data-kind=\"%s\">%n", escape(id),
                kind));
        sb.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" "
                + "width=\"%d\" height=\"%d\" role=\"img\" aria-label=\"%s\" font-family=\"sans-serif\" "
                + "font-size=\"11\">%n", WIDTH, height, WIDTH, height, escape(title)));
        sb.append("<title>").append(escape(title)).append("</title>\n");
        sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"18\" font-size=\"13\" font-weight=\"bold\">%s"
                + "</text>%n", 8, escape(title)));
        return sb;
    }

    private static String close(StringBuilder sb) {
        return sb.append("</svg>\n</figure>\n").toString();
    }

    private static void label(StringBuilder sb, double x, double y, String anchor, String text) {
        sb.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\">%s</text>%n", x, y,
                anchor, escape(clip(text, 34))));
    }

    private static String clip(String s, int n) {
        return s.length() <= n ? s : s.substring(0, n - 1) + "…";
    }

    private static void xAxis(StringBuilder sb, Scale x, double[] t, int top, int bottom, String unit) {
        for (double v : t) {
            sb.append(String.format(Locale.ROOT, "<line class=\"grid\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%d\" "
                    + "stroke=\"#ddd\"/>%n", x.at(v), x.at(v), top, bottom));
            sb.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>%n",
                    x.at(v), bottom + 14, escape(tick(v, t))));
        }
        sb.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>%n",
                (x.from() + x.to()) / 2, bottom + 30, escape(unit)));
    }

    private static void axes(StringBuilder sb, Scale x, Scale y, double[] tx, double[] ty, String xLabel,
                             String yLabel, int bottom) {
        for (double v : ty) {
            sb.append(String.format(Locale.ROOT, "<line class=\"grid\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" "
                    + "y2=\"%.1f\" stroke=\"#ddd\"/>%n", x.from(), x.to(), y.at(v), y.at(v)));
            sb.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%s</text>%n",
                    x.from() - 6, y.at(v) + 4, escape(tick(v, ty))));
        }
        for (double v : tx) {
            sb.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>%n",
                    x.at(v), bottom + 14, escape(tick(v, tx))));
        }
        sb.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%d\" stroke=\"#555\"/>%n",
                x.from(), x.to(), bottom, bottom));
        sb.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>%n",
                (x.from() + x.to()) / 2, bottom + 30, escape(xLabel)));
        sb.append(String.format(Locale.ROOT, "<text transform=\"translate(14 %.1f) rotate(-90)\" "
                + "text-anchor=\"middle\">%s</text>%n", (y.from() + y.to()) / 2, escape(yLabel)));
    }

    private static void legend(StringBuilder sb, List<String> names, int y) {
        for (int i = 0; i < names.size(); i++) {
            double lx = LEFT + (i % 4) * 150;
            double ly = y + (i / 4) * 18;
            sb.append(String.format(Locale.ROOT, "<rect class=\"legend\" x=\"%.1f\" y=\"%.1f\" width=\"10\" "
                    + "height=\"10\" fill=\"%s\"/>%n", lx, ly - 9, PALETTE[i % PALETTE.length]));
            label(sb, lx + 14, ly, "start", names.get(i));
        }
    }
}
