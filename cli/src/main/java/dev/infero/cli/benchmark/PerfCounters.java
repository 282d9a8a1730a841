package dev.infero.cli.benchmark;

import dev.infero.core.device.ProfilingInfo;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Per-layer performance counters as benchmark_app prints and reports them. CPU time equals real time: each node runs
 * on one thread.
 */
public final class PerfCounters {
    /** One node's counters. */
    public record Row(String name, String status, String layerType, String execType, double realMs) {
        double cpuMs() {
            return realMs;
        }
    }

    /** Time spent in one layer type, for the summary. */
    public record TypeTotal(String layerType, int count, double realMs, double share) {
    }

    private PerfCounters() {
    }

    public static List<Row> rows(List<ProfilingInfo> infos) {
        return infos.stream().map(p -> new Row(p.nodeName(), p.status().name(), p.nodeType(), p.execType(),
                p.realTimeNanos() / 1e6)).toList();
    }

    /** The node-by-node average of several requests' counters (all requests run the same plan). */
    public static List<Row> average(List<List<Row>> perRequest) {
        List<List<Row>> present = perRequest.stream().filter(r -> !r.isEmpty()).toList();
        if (present.isEmpty()) {
            return List.of();
        }
        List<Row> first = present.getFirst();
        List<Row> out = new ArrayList<>();
        for (int i = 0; i < first.size(); i++) {
            int index = i;
            double mean = present.stream().mapToDouble(r -> r.get(index).realMs()).average().orElse(0);
            Row r = first.get(i);
            out.add(new Row(r.name(), r.status(), r.layerType(), r.execType(), mean));
        }
        return out;
    }

    static double total(List<Row> rows) {
        return rows.stream().mapToDouble(Row::realMs).sum();
    }

    /** Time per layer type, most expensive first. */
    public static List<TypeTotal> byType(List<Row> rows) {
        double total = total(rows);
        Map<String, double[]> acc = new LinkedHashMap<>();
        for (Row r : rows) {
            double[] a = acc.computeIfAbsent(r.layerType(), k -> new double[2]);
            a[0]++;
            a[1] += r.realMs();
        }
        return acc.entrySet().stream()
                .map(e -> new TypeTotal(e.getKey(), (int) e.getValue()[0], e.getValue()[1],
                        total == 0 ? 0 : e.getValue()[1] / total))
                .sorted(Comparator.comparingDouble(TypeTotal::realMs).reversed()).toList();
    }

    static void print(PrintStream out, String title, List<Row> rows) {
        out.println("[ INFO ] " + title);
        double total = total(rows);
        for (Row r : rows) {
            out.printf(Locale.ROOT, "%-30s %-14s layerType: %-20s execType: %-20s realTime (ms): %-10.3f "
                            + "cpuTime (ms): %-10.3f proportion: %.2f%%%n", truncate(r.name(), 30), r.status(),
                    r.layerType(), r.execType(), r.realMs(), r.cpuMs(), total == 0 ? 0 : 100 * r.realMs() / total);
        }
        out.printf(Locale.ROOT, "Total time: %.3f milliseconds%n", total);
        out.printf(Locale.ROOT, "Total CPU time: %.3f milliseconds%n", total);
    }

    static void printSummary(PrintStream out, List<Row> rows) {
        out.println("[ INFO ] Time by layer type (all requests averaged):");
        out.printf(Locale.ROOT, "%-24s %6s %14s %8s%n", "layerType", "count", "realTime (ms)", "share");
        for (TypeTotal t : byType(rows)) {
            out.printf(Locale.ROOT, "%-24s %6d %14.3f %7.2f%%%n", t.layerType(), t.count(), t.realMs(),
                    100 * t.share());
        }
    }

    private static String truncate(String s, int width) {
        return s.length() <= width ? s : s.substring(0, width - 3) + "...";
    }
}
