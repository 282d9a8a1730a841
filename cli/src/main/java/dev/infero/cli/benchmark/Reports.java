package dev.infero.cli.benchmark;

import dev.infero.cli.io.Json;
import dev.infero.core.InferoException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The report files of {@code -report_folder} / {@code -json_stats}, laid out like benchmark_app's (format described
 * in docs/benchmark.md):
 * <ul>
 *   <li>{@code benchmark_report.csv}: ';'-separated sections "Command line parameters", "Configuration setup",
 *       "Execution results", each a title line, {@code key;value} lines and a blank line;</li>
 *   <li>{@code benchmark_<report_type>_report.csv}: counters with the columns
 *       {@code layerName;execStatus;layerType;execType;realTime (ms);cpuTime (ms)} and a {@code Total} row, once
 *       (average) or per request (detailed);</li>
 *   <li>with {@code -json_stats}, the same as {@code benchmark_report.json} and
 *       {@code benchmark_<report_type>_report.json}.</li>
 * </ul>
 * With several models the file names get {@code _<model name>} before the extension.
 */
final class Reports {
    /** All that one model's run reports. */
    record Run(Map<String, String> commandLine, Map<String, String> configuration, Map<String, Object> results,
               ReportType type, List<List<PerfCounters.Row>> countersPerRequest) {
    }

    static final String COUNTER_HEADER = "layerName;execStatus;layerType;execType;realTime (ms);cpuTime (ms)";

    private Reports() {
    }

    /** Writes the CSV reports, and the JSON ones when {@code json}; returns the files written. */
    static List<Path> write(Path folder, String suffix, Run run, boolean json) {
        List<Path> written = new ArrayList<>();
        written.add(write(folder.resolve("benchmark_report" + suffix + ".csv"), mainCsv(run)));
        if (run.type().needsCounters()) {
            written.add(write(folder.resolve("benchmark_" + run.type().cliName() + "_report" + suffix + ".csv"),
                    countersCsv(run)));
        }
        if (json) {
            written.add(write(folder.resolve("benchmark_report" + suffix + ".json"), Json.write(mainJson(run))));
            if (run.type().needsCounters()) {
                written.add(write(folder.resolve("benchmark_" + run.type().cliName() + "_report" + suffix + ".json"),
                        Json.write(countersJson(run))));
            }
        }
        return written;
    }

    static String mainCsv(Run run) {
        StringBuilder sb = new StringBuilder();
        section(sb, "Command line parameters", run.commandLine());
        section(sb, "Configuration setup", run.configuration());
        section(sb, "Execution results", run.results());
        return sb.toString();
    }

    private static void section(StringBuilder sb, String title, Map<String, ?> entries) {
        sb.append(title).append('\n');
        entries.forEach((k, v) -> sb.append(k).append(';').append(csvValue(v)).append('\n'));
        sb.append('\n');
    }

    private static String csvValue(Object v) {
        return v instanceof Double d ? String.format(Locale.ROOT, "%.2f", d) : String.valueOf(v).replace(';', ',');
    }

    static String countersCsv(Run run) {
        StringBuilder sb = new StringBuilder();
        if (run.type() == ReportType.AVERAGE_COUNTERS) {
            sb.append("Performance counters (average over requests)\n");
            table(sb, PerfCounters.average(run.countersPerRequest()));
        } else {
            for (int i = 0; i < run.countersPerRequest().size(); i++) {
                sb.append("Performance counters for ").append(i).append("-th infer request\n");
                table(sb, run.countersPerRequest().get(i));
                sb.append('\n');
            }
        }
        return sb.toString();
    }

    private static void table(StringBuilder sb, List<PerfCounters.Row> rows) {
        sb.append(COUNTER_HEADER).append('\n');
        for (PerfCounters.Row r : rows) {
            sb.append(String.join(";", r.name(), r.status(), r.layerType(), r.execType(), ms(r.realMs()),
                    ms(r.cpuMs()))).append('\n');
        }
        double total = PerfCounters.total(rows);
        sb.append("Total;;;;").append(ms(total)).append(';').append(ms(total)).append('\n');
    }

    private static String ms(double v) {
        return String.format(Locale.ROOT, "%.3f", v);
    }

    static Map<String, Object> mainJson(Run run) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("cmd_options", run.commandLine());
        root.put("configuration_setup", run.configuration());
        root.put("execution_results", run.results());
        return root;
    }

    static Map<String, Object> countersJson(Run run) {
        Map<String, Object> root = new LinkedHashMap<>();
        if (run.type() == ReportType.AVERAGE_COUNTERS) {
            root.put("avg_performance", nodes(PerfCounters.average(run.countersPerRequest())));
        } else {
            root.put("detailed_performance", run.countersPerRequest().stream().map(Reports::nodes).toList());
        }
        return root;
    }

    private static Map<String, Object> nodes(List<PerfCounters.Row> rows) {
        List<Map<String, Object>> nodes = new ArrayList<>();
        for (PerfCounters.Row r : rows) {
            Map<String, Object> n = new LinkedHashMap<>();
            n.put("name", r.name());
            n.put("status", r.status());
            n.put("node_type", r.layerType());
            n.put("exec_type", r.execType());
            n.put("real_time", r.realMs());
            n.put("cpu_time", r.cpuMs());
            nodes.add(n);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("nodes", nodes);
        out.put("total_real_time", PerfCounters.total(rows));
        out.put("total_cpu_time", PerfCounters.total(rows));
        return out;
    }

    private static Path write(Path file, String text) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.writeString(file, text, StandardCharsets.UTF_8);
            return file;
        } catch (IOException e) {
            throw new InferoException("cannot write report " + file + ": " + e.getMessage(), e);
        }
    }
}
