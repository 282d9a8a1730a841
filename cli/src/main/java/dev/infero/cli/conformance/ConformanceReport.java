package dev.infero.cli.conformance;

import dev.infero.cli.io.Json;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Counts per op and overall, and the renderings of a conformance run: console text, markdown and JSON. */
public final class ConformanceReport {
    private final List<CaseResult> results;
    private final Map<String, int[]> perOp = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    private final int[] totals = new int[Outcome.values().length];

    public ConformanceReport(List<CaseResult> results) {
        this.results = List.copyOf(results);
        for (CaseResult r : results) {
            perOp.computeIfAbsent(r.op(), k -> new int[Outcome.values().length])[r.outcome().ordinal()]++;
            totals[r.outcome().ordinal()]++;
        }
    }

    public List<CaseResult> results() {
        return results;
    }

    public int count(Outcome outcome) {
        return totals[outcome.ordinal()];
    }

    public List<CaseResult> withOutcome(Outcome outcome) {
        return results.stream().filter(r -> r.outcome() == outcome).toList();
    }

    /** {@code conformance: P passed, F failed, U unsupported}. */
    public String summaryLine() {
        return "conformance: " + count(Outcome.PASSED) + " passed, " + count(Outcome.FAILED) + " failed, "
                + count(Outcome.UNSUPPORTED) + " unsupported";
    }

    /** The per-op table, the failures with reasons (and with {@code verbose} the unsupported ones), the summary. */
    public void printText(PrintWriter out, boolean verbose) {
        int width = Math.max("total".length(), perOp.keySet().stream().mapToInt(String::length).max().orElse(2));
        String row = "%-" + width + "s  %6s  %6s  %11s%n";
        out.printf(row, "op", "passed", "failed", "unsupported");
        perOp.forEach((op, c) -> out.printf(row, op, c[0], c[1], c[2]));
        out.printf(row, "total", count(Outcome.PASSED), count(Outcome.FAILED), count(Outcome.UNSUPPORTED));
        printCases(out, Outcome.FAILED, "Failures");
        if (verbose) {
            printCases(out, Outcome.UNSUPPORTED, "Unsupported");
        }
        out.println(summaryLine());
        out.flush();
    }

    private void printCases(PrintWriter out, Outcome outcome, String title) {
        List<CaseResult> cases = withOutcome(outcome);
        if (cases.isEmpty()) {
            return;
        }
        out.println();
        out.println(title + " (" + cases.size() + "):");
        for (CaseResult r : cases) {
            out.println("  " + r.name() + " [" + r.op() + "]: " + r.reason());
        }
        out.println();
    }

    public String markdown() {
        StringBuilder md = new StringBuilder("# ONNX conformance\n\n");
        md.append(count(Outcome.PASSED)).append(" passed, ").append(count(Outcome.FAILED)).append(" failed, ")
                .append(count(Outcome.UNSUPPORTED)).append(" unsupported of ").append(results.size())
                .append(" cases.\n\n| op | passed | failed | unsupported |\n| --- | ---: | ---: | ---: |\n");
        perOp.forEach((op, c) -> md.append("| ").append(cell(op)).append(" | ").append(c[0]).append(" | ")
                .append(c[1]).append(" | ").append(c[2]).append(" |\n"));
        appendCases(md, Outcome.FAILED, "Failed");
        appendCases(md, Outcome.UNSUPPORTED, "Unsupported");
        return md.toString();
    }

    private void appendCases(StringBuilder md, Outcome outcome, String title) {
        List<CaseResult> cases = withOutcome(outcome);
        md.append("\n## ").append(title).append(" (").append(cases.size()).append(")\n\n");
        if (cases.isEmpty()) {
            md.append("None.\n");
            return;
        }
        md.append("| case | op | reason |\n| --- | --- | --- |\n");
        for (CaseResult r : cases) {
            md.append("| ").append(cell(r.name())).append(" | ").append(cell(r.op())).append(" | ")
                    .append(cell(r.reason())).append(" |\n");
        }
    }

    private static String cell(String s) {
        return s.replace("|", "\\|").replace("\n", " ");
    }

    /** Counts and every case as JSON. */
    public String json() {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("passed", count(Outcome.PASSED));
        root.put("failed", count(Outcome.FAILED));
        root.put("unsupported", count(Outcome.UNSUPPORTED));
        List<Map<String, Object>> cases = new ArrayList<>();
        for (CaseResult r : results) {
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("name", r.name());
            c.put("op", r.op());
            c.put("outcome", r.outcome().name().toLowerCase(java.util.Locale.ROOT));
            c.put("reason", r.reason());
            c.put("millis", r.millis());
            cases.add(c);
        }
        root.put("cases", cases);
        return Json.write(root);
    }
}
