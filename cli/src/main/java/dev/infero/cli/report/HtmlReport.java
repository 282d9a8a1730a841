package dev.infero.cli.report;

import static dev.infero.cli.report.Svg.escape;

import dev.infero.core.InferoException;
import dev.infero.core.OutputFolder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Renders a {@link ReportData} as one self-contained HTML page: inline CSS, inline SVG charts ({@link Svg}), no
 * script, no external font or image, so it opens offline and can be mailed as one file. Sections without data are
 * left out.
 */
public final class HtmlReport {
    /** Layer types shown by name in the time breakdown; the rest are summed as "other". */
    static final int TOP_LAYER_TYPES = 7;

    private static final String CSS = """
            body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:24px auto;max-width:1100px;\
            color:#222;padding:0 16px;line-height:1.4}
            h1{font-size:22px;margin-bottom:4px}h2{font-size:17px;margin-top:28px;border-bottom:1px solid #ddd;\
            padding-bottom:4px}
            .sub{color:#666;font-size:13px}
            .wide{overflow-x:auto}
            table{border-collapse:collapse;font-size:13px;margin:8px 0}
            th,td{border:1px solid #ddd;padding:4px 8px;text-align:right;white-space:nowrap}
            th{white-space:normal;vertical-align:bottom}td.f{font-size:11px;color:#555;white-space:normal;            word-break:break-all;max-width:260px}
            th{background:#f4f6f8}td.l,th.l{text-align:left}
            tr:nth-child(even) td{background:#fafbfc}
            pre{background:#f6f8fa;padding:10px;font-size:12px;overflow-x:auto;white-space:pre-wrap}
            figure.chart{margin:12px 0}svg{max-width:100%;height:auto;background:#fff}
            .charts{display:flex;flex-wrap:wrap;gap:8px}
            dl{display:grid;grid-template-columns:max-content auto;gap:2px 16px;font-size:13px}dt{color:#666}dd{margin:0}
            .note{font-size:13px;color:#444}
            """;

    private HtmlReport() {
    }

    /** The page for {@code data}. */
    public static String render(ReportData data) {
        StringBuilder h = new StringBuilder(64 * 1024);
        h.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
                .append("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; ")
                .append("style-src 'unsafe-inline'; img-src data:\">\n")
                .append("<title>").append(escape(data.title())).append("</title>\n<style>\n").append(CSS)
                .append("</style>\n</head>\n<body>\n");
        h.append("<h1>").append(escape(data.title())).append("</h1>\n<p class=\"sub\">Infero ")
                .append(escape(data.machine().inferoVersion())).append(" · generated ")
                .append(escape(ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME.withLocale(
                        Locale.ROOT)).replaceFirst("\\.\\d+", ""))).append("</p>\n");
        if (!data.variants().isEmpty()) {
            summary(h, data);
        }
        for (String note : data.notes()) {
            h.append("<p class=\"note\">").append(escape(note)).append("</p>\n");
        }
        charts(h, data);
        worstLayers(h, data);
        accuracy(h, data);
        context(h, data);
        h.append("</body>\n</html>\n");
        return h.toString();
    }

    /** Writes the page to {@code file} (via a temporary file: never half-written). */
    public static void write(ReportData data, Path file) {
        String html = render(data);
        Path parent = file.toAbsolutePath().getParent();
        Path tmp = parent.resolve(file.getFileName() + ".tmp");
        try {
            Files.createDirectories(parent);
            Files.writeString(tmp, html);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // the original error says what went wrong
            }
            throw new InferoException("cannot write report " + file + ": " + e.getMessage(), e);
        }
    }

    /** Fails early when {@code file} cannot be written (before a long measurement). */
    public static void checkWritable(Path file) {
        if (!file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".html")) {
            throw new InferoException("report file " + file + " must end in .html");
        }
        if (Files.isDirectory(file)) {
            throw new InferoException("report file " + file + " is a folder");
        }
        String problem = OutputFolder.problem(file.toAbsolutePath().getParent());
        if (problem != null) {
            throw new InferoException("cannot write report " + file + ": " + problem);
        }
    }

    private static void summary(StringBuilder h, ReportData data) {
        h.append("<h2>Summary</h2>\n<div class=\"wide\"><table id=\"summary\">\n<tr><th class=\"l\">variant</th><th class=\"l\">model</th>")
                .append("<th>precision</th><th>size</th><th>vs ref.</th><th>parameters</th><th>FLOPs</th>")
                .append("<th>latency median ms</th><th>p90 ms</th><th>FPS</th><th>FPS, N threads</th>")
                .append("<th>cosine</th><th>SQNR dB</th><th>top-1 agree</th>");
        List<String> metricNames = metricNames(data);
        for (String m : metricNames) {
            h.append("<th>").append(escape(m)).append("</th>");
        }
        h.append("</tr>\n");
        long refSize = data.variants().getFirst().sizeBytes();
        for (ReportData.Variant v : data.variants()) {
            h.append("<tr><td class=\"l\">").append(escape(v.name())).append("</td><td class=\"l f\">")
                    .append(escape(v.file())).append("</td><td>").append(escape(v.precision())).append("</td><td>")
                    .append(bytes(v.sizeBytes())).append("</td><td>")
                    .append(refSize > 0 && v.sizeBytes() > 0 ? String.format(Locale.ROOT, "%.2f×",
                            (double) v.sizeBytes() / refSize) : "–").append("</td><td>")
                    .append(v.parameters() >= 0 ? String.format(Locale.ROOT, "%,d", v.parameters()) : "–")
                    .append("</td><td>").append(v.flops() >= 0 ? Svg.num(v.flops() / 1e6) + " M" : "–")
                    .append("</td><td>").append(v.latency() != null ? fixed(v.latency().latencyMs(), 3) : "–")
                    .append("</td><td>").append(v.latency() != null ? fixed(v.p90Ms(), 3) : "–").append("</td><td>")
                    .append(v.latency() != null ? fixed(v.latency().throughputFps(), 1) : "–").append("</td><td>")
                    .append(v.throughput() != null ? fixed(v.throughput().throughputFps(), 1) + " (" + v.threads()
                            + ")" : "–").append("</td>");
            ReportData.Drift d = v.drift();
            if (d == null) {
                h.append("<td>ref.</td><td>ref.</td><td>ref.</td>");
            } else {
                h.append("<td>").append(fixed(d.cosine(), 6)).append("</td><td>")
                        .append(Double.isFinite(d.sqnrDb()) ? fixed(d.sqnrDb(), 1) : "exact").append("</td><td>")
                        .append(Double.isNaN(d.top1()) ? "–" : fixed(100 * d.top1(), 1) + " %").append("</td>");
            }
            Map<String, ReportData.Metric> metrics = metricsOf(data, v);
            for (String m : metricNames) {
                ReportData.Metric metric = metrics.get(m);
                h.append("<td>").append(metric == null ? "–" : fixed(metric.value(), 4)
                        + (Double.isNaN(metric.delta()) || metric.delta() == 0 ? ""
                        : String.format(Locale.ROOT, " (%+.4f)", metric.delta()))).append("</td>");
            }
            h.append("</tr>\n");
        }
        h.append("</table></div>\n");
        ReportData.Variant compared = data.variants().stream().filter(v -> v.drift() != null).findFirst()
                .orElse(null);
        if (compared != null) {
            h.append("<p class=\"note\">Drift: output <code>").append(escape(compared.drift().output()))
                    .append("</code> of each variant against ").append(escape(compared.drift().reference()))
                    .append(" on ").append(compared.drift().samples()).append(" inputs (cosine similarity, SQNR, and ")
                    .append("top-1 agreement for class-score outputs).</p>\n");
        }
    }

    private static void charts(StringBuilder h, ReportData data) {
        List<String> out = new ArrayList<>();
        List<ReportData.Variant> timed = data.variants().stream()
                .filter(v -> v.latenciesMs() != null && v.latenciesMs().length > 0).toList();
        if (!timed.isEmpty()) {
            out.add(Svg.boxPlot("chart-latency", "Latency distribution (1 thread, sync)", "ms per inference",
                    timed.stream().map(ReportData.Variant::name).toList(),
                    timed.stream().map(ReportData.Variant::latenciesMs).toList()));
        }
        List<ReportData.Variant> profiled = data.variants().stream().filter(v -> !v.layerTimes().isEmpty()).toList();
        if (!profiled.isEmpty()) {
            out.add(layerTimeChart(profiled));
        }
        List<ReportData.LayerDrift> drifts = data.layerDrift().stream().filter(d -> !d.points().isEmpty()).toList();
        if (!drifts.isEmpty()) {
            List<Svg.Series> series = new ArrayList<>();
            for (ReportData.LayerDrift d : drifts) {
                int n = d.points().size();
                double[] x = new double[n];
                double[] y = new double[n];
                List<String> tips = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    ReportData.LayerPoint p = d.points().get(i);
                    x[i] = i + 1;
                    y[i] = Math.min(p.sqnrDb(), 120);
                    tips.add(p.tensor() + " (" + p.producer() + "): SQNR " + fixed(p.sqnrDb(), 1) + " dB, cosine "
                            + fixed(p.cosine(), 6) + ", lost " + fixed(p.lostDb(), 1) + " dB");
                }
                series.add(new Svg.Series(d.variant() + " vs " + d.reference(), x, y, tips));
            }
            out.add(Svg.lineChart("chart-drift", "Per-layer drift along the network (SQNR vs reference)",
                    "layer (graph order)", "SQNR dB", series));
        }
        List<Svg.Point> points = speedPoints(data);
        if (!points.isEmpty()) {
            boolean acc = hasAccuracy(data);
            String yLabel = acc ? metricNames(data).getFirst() : "output cosine vs reference";
            out.add(Svg.scatter("chart-speed", "Speed vs " + (acc ? "accuracy" : "drift"), "median latency ms",
                    yLabel, points));
        }
        if (!out.isEmpty()) {
            h.append("<h2>Charts</h2>\n<div class=\"charts\">\n");
            out.forEach(h::append);
            h.append("</div>\n");
        }
    }

    private static String layerTimeChart(List<ReportData.Variant> profiled) {
        Map<String, Double> totals = new LinkedHashMap<>();
        for (ReportData.Variant v : profiled) {
            for (ReportData.LayerTime t : v.layerTimes()) {
                totals.merge(t.type(), t.ms(), Double::sum);
            }
        }
        List<String> types = totals.entrySet().stream()
                .sorted(Map.Entry.<String, Double>comparingByValue().reversed()).map(Map.Entry::getKey).toList();
        List<String> shown = new ArrayList<>(types.subList(0, Math.min(TOP_LAYER_TYPES, types.size())));
        boolean other = types.size() > shown.size();
        List<String> segments = new ArrayList<>(shown);
        if (other) {
            segments.add("other");
        }
        double[][] values = new double[profiled.size()][segments.size()];
        for (int r = 0; r < profiled.size(); r++) {
            for (ReportData.LayerTime t : profiled.get(r).layerTimes()) {
                int s = shown.indexOf(t.type());
                values[r][s >= 0 ? s : segments.size() - 1] += t.ms();
            }
        }
        return Svg.stackedBars("chart-layers", "Time per layer type (1 thread, runtime counters)",
                "ms per inference", profiled.stream().map(ReportData.Variant::name).toList(), segments, values);
    }

    private static List<Svg.Point> speedPoints(ReportData data) {
        boolean acc = hasAccuracy(data);
        String metric = acc ? metricNames(data).getFirst() : null;
        List<Svg.Point> points = new ArrayList<>();
        for (ReportData.Variant v : data.variants()) {
            ReportData.Metric m = acc ? metricsOf(data, v).get(metric) : null;
            double latency = v.latency() != null ? v.latency().latencyMs() : m != null ? latencyOf(data, v) : Double.NaN;
            double y = acc ? (m == null ? Double.NaN : m.value()) : v.drift() != null ? v.drift().cosine()
                    : v == data.variants().getFirst() && data.variants().stream().anyMatch(o -> o.drift() != null)
                    ? 1.0 : Double.NaN;
            if (Double.isFinite(latency) && Double.isFinite(y)) {
                points.add(new Svg.Point(v.name(), latency, y));
            }
        }
        if (points.isEmpty() && acc) {
            for (ReportData.AccuracyModel m : data.accuracy().models()) {
                if (Double.isFinite(m.latencyMs()) && m.latencyMs() > 0 && !m.metrics().isEmpty()) {
                    points.add(new Svg.Point(m.name(), m.latencyMs(), m.metrics().getFirst().value()));
                }
            }
        }
        return points;
    }

    private static double latencyOf(ReportData data, ReportData.Variant v) {
        ReportData.AccuracyModel m = accuracyModel(data, v);
        return m == null ? Double.NaN : m.latencyMs();
    }

    private static void worstLayers(StringBuilder h, ReportData data) {
        for (ReportData.LayerDrift d : data.layerDrift()) {
            if (d.points().isEmpty()) {
                continue;
            }
            h.append("<h2>Where ").append(escape(d.variant())).append(" loses most against ")
                    .append(escape(d.reference())).append("</h2>\n<table class=\"layers\">\n<tr><th>#</th>")
                    .append("<th class=\"l\">tensor</th><th class=\"l\">producer</th><th>SQNR dB</th>")
                    .append("<th>lost dB</th><th>cosine</th></tr>\n");
            List<ReportData.LayerPoint> pts = d.points();
            List<Integer> order = new ArrayList<>();
            for (int i = 0; i < pts.size(); i++) {
                order.add(i);
            }
            order.sort(Comparator.comparingDouble((Integer i) -> -pts.get(i).lostDb()));
            for (int i : order.subList(0, Math.min(10, order.size()))) {
                ReportData.LayerPoint p = pts.get(i);
                h.append("<tr><td>").append(i + 1).append("</td><td class=\"l\">").append(escape(p.tensor()))
                        .append("</td><td class=\"l\">").append(escape(p.producer())).append("</td><td>")
                        .append(fixed(p.sqnrDb(), 2)).append("</td><td>").append(fixed(p.lostDb(), 2))
                        .append("</td><td>").append(fixed(p.cosine(), 6)).append("</td></tr>\n");
            }
            h.append("</table>\n");
        }
    }

    private static void accuracy(StringBuilder h, ReportData data) {
        ReportData.Accuracy a = data.accuracy();
        if (a == null) {
            return;
        }
        h.append("<h2>Accuracy</h2>\n<p class=\"note\">").append(escape(a.source())).append(": dataset ")
                .append(escape(a.dataset())).append(", ").append(a.samples()).append(" samples.</p>\n")
                .append("<table id=\"accuracy\">\n<tr><th class=\"l\">model</th><th>precision</th>")
                .append("<th class=\"l\">metric</th><th>value</th><th>delta</th><th>latency ms</th></tr>\n");
        for (ReportData.AccuracyModel m : a.models()) {
            for (ReportData.Metric metric : m.metrics()) {
                h.append("<tr><td class=\"l\">").append(escape(m.name())).append("</td><td>")
                        .append(escape(m.precision())).append("</td><td class=\"l\">").append(escape(metric.name()))
                        .append(" (").append(escape(metric.type())).append(")</td><td>")
                        .append(fixed(metric.value(), 4)).append("</td><td>")
                        .append(Double.isNaN(metric.delta()) ? "–" : String.format(Locale.ROOT, "%+.4f",
                                metric.delta())).append("</td><td>")
                        .append(Double.isFinite(m.latencyMs()) ? fixed(m.latencyMs(), 3) : "–").append("</td></tr>\n");
            }
        }
        h.append("</table>\n");
    }

    private static void context(StringBuilder h, ReportData data) {
        if (!data.inputs().isEmpty()) {
            h.append("<h2>Inputs</h2>\n<ul>\n");
            data.inputs().forEach(i -> h.append("<li>").append(escape(i)).append("</li>\n"));
            h.append("</ul>\n");
        }
        ReportData.Machine m = data.machine();
        h.append("<h2>Machine</h2>\n<dl id=\"machine\">\n");
        dd(h, "CPU", m.cpu() + ", " + m.cores() + " cores available to the JVM");
        dd(h, "ISA", m.isa());
        dd(h, "kernel vector width", m.vectorWidth());
        dd(h, "device", m.device());
        dd(h, "JIT", m.jit());
        dd(h, "Java", m.java());
        dd(h, "OS", m.os());
        dd(h, "Infero", m.inferoVersion());
        h.append("</dl>\n");
        if (!data.commands().isEmpty()) {
            h.append("<h2>Reproduce</h2>\n<pre id=\"commands\">");
            data.commands().forEach(c -> h.append(escape(c)).append('\n'));
            h.append("</pre>\n");
        }
    }

    private static void dd(StringBuilder h, String k, String v) {
        h.append("<dt>").append(escape(k)).append("</dt><dd>").append(escape(v)).append("</dd>\n");
    }

    private static boolean hasAccuracy(ReportData data) {
        return data.accuracy() != null && !metricNames(data).isEmpty();
    }

    /** Metric names of the accuracy file, in first-seen order. */
    private static List<String> metricNames(ReportData data) {
        List<String> names = new ArrayList<>();
        if (data.accuracy() != null) {
            for (ReportData.AccuracyModel m : data.accuracy().models()) {
                for (ReportData.Metric metric : m.metrics()) {
                    if (!names.contains(metric.name())) {
                        names.add(metric.name());
                    }
                }
            }
        }
        return names;
    }

    private static Map<String, ReportData.Metric> metricsOf(ReportData data, ReportData.Variant v) {
        Map<String, ReportData.Metric> out = new LinkedHashMap<>();
        ReportData.AccuracyModel m = accuracyModel(data, v);
        if (m != null) {
            m.metrics().forEach(metric -> out.put(metric.name(), metric));
        }
        return out;
    }

    /** The accuracy entry of a variant: same model file (as given or resolved), else the same name. */
    static ReportData.AccuracyModel accuracyModel(ReportData data, ReportData.Variant v) {
        if (data.accuracy() == null) {
            return null;
        }
        try {
            Path file = Path.of(v.file()).toAbsolutePath().normalize();
            for (ReportData.AccuracyModel m : data.accuracy().models()) {
                if (m.model() != null && !m.model().isEmpty()
                        && Path.of(m.model()).toAbsolutePath().normalize().equals(file)) {
                    return m;
                }
            }
        } catch (java.nio.file.InvalidPathException e) {
            // not a path on this system: match by name below
        }
        for (ReportData.AccuracyModel m : data.accuracy().models()) {
            if (m.name().equals(v.name())) {
                return m;
            }
        }
        return null;
    }

    private static String bytes(long b) {
        if (b <= 0) {
            return "–";
        }
        return b >= 1 << 20 ? String.format(Locale.ROOT, "%.2f MB", b / 1048576.0)
                : b >= 1024 ? String.format(Locale.ROOT, "%.1f KB", b / 1024.0) : b + " B";
    }

    private static String fixed(double v, int digits) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%." + digits + "f", v) : "–";
    }
}
