package dev.infero.cli.benchmark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportsTest {
    @TempDir
    Path dir;

    private static Reports.Run run(ReportType type) {
        Map<String, String> cmd = new LinkedHashMap<>();
        cmd.put("-m", "model.xml");
        cmd.put("-d", "CPU");
        Map<String, String> config = new LinkedHashMap<>();
        config.put("topology", "tiny");
        config.put("API", "async");
        Map<String, Object> results = new LinkedHashMap<>();
        results.put("total number of iterations", 120);
        results.put("latency (ms)", 1.234);
        results.put("throughput", 810.5);
        List<PerfCounters.Row> r0 = List.of(new PerfCounters.Row("conv1", "EXECUTED", "Convolution", "reference_f32", 1.0),
                new PerfCounters.Row("relu1", "EXECUTED", "Relu", "reference_f32", 0.5));
        List<PerfCounters.Row> r1 = List.of(new PerfCounters.Row("conv1", "EXECUTED", "Convolution", "reference_f32", 3.0),
                new PerfCounters.Row("relu1", "EXECUTED", "Relu", "reference_f32", 0.5));
        return new Reports.Run(cmd, config, results, type, List.of(r0, r1));
    }

    @Test
    void mainCsvHasOpenVinoSections() {
        assertEquals("""
                Command line parameters
                -m;model.xml
                -d;CPU

                Configuration setup
                topology;tiny
                API;async

                Execution results
                total number of iterations;120
                latency (ms);1.23
                throughput;810.50

                """, Reports.mainCsv(run(ReportType.NO_COUNTERS)));
    }

    @Test
    void averageCountersAreAveragedNodeByNodeWithATotalRow() {
        assertEquals("""
                Performance counters (average over requests)
                layerName;execStatus;layerType;execType;realTime (ms);cpuTime (ms)
                conv1;EXECUTED;Convolution;reference_f32;2.000;2.000
                relu1;EXECUTED;Relu;reference_f32;0.500;0.500
                Total;;;;2.500;2.500
                """, Reports.countersCsv(run(ReportType.AVERAGE_COUNTERS)));
    }

    @Test
    void detailedCountersHaveOneTablePerRequest() {
        String csv = Reports.countersCsv(run(ReportType.DETAILED_COUNTERS));
        assertTrue(csv.startsWith("Performance counters for 0-th infer request\n" + Reports.COUNTER_HEADER), csv);
        assertTrue(csv.contains("Performance counters for 1-th infer request\n"), csv);
        assertTrue(csv.contains("conv1;EXECUTED;Convolution;reference_f32;3.000;3.000"), csv);
    }

    @Test
    void writesCsvAndJsonFiles() throws IOException {
        List<Path> files = Reports.write(dir, "", run(ReportType.AVERAGE_COUNTERS), true);
        assertEquals(List.of("benchmark_report.csv", "benchmark_average_counters_report.csv", "benchmark_report.json",
                "benchmark_average_counters_report.json"), files.stream().map(f -> f.getFileName().toString()).toList());
        assertEquals("""
                {
                  "cmd_options": {
                    "-m": "model.xml",
                    "-d": "CPU"
                  },
                  "configuration_setup": {
                    "topology": "tiny",
                    "API": "async"
                  },
                  "execution_results": {
                    "total number of iterations": 120,
                    "latency (ms)": 1.234,
                    "throughput": 810.500
                  }
                }
                """, Files.readString(dir.resolve("benchmark_report.json")));
        String counters = Files.readString(dir.resolve("benchmark_average_counters_report.json"));
        assertTrue(counters.contains("\"avg_performance\": {"), counters);
        assertTrue(counters.contains("\"node_type\": \"Convolution\""), counters);
        assertTrue(counters.contains("\"total_real_time\": 2.500"), counters);
    }

    @Test
    void summaryByTypeIsSortedByTime() {
        List<PerfCounters.TypeTotal> byType = PerfCounters.byType(PerfCounters.average(run(ReportType.AVERAGE_COUNTERS)
                .countersPerRequest()));
        assertEquals(List.of("Convolution", "Relu"), byType.stream().map(PerfCounters.TypeTotal::layerType).toList());
        assertEquals(0.8, byType.getFirst().share(), 1e-9);
    }
}
