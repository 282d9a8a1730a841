package dev.infero.cli.benchmark;

import dev.infero.core.device.ProfilingInfo;
import dev.infero.core.graph.Graph;
import dev.infero.core.graph.Node;
import dev.infero.core.ops.Constant;
import dev.infero.core.ops.Parameter;
import dev.infero.core.ops.Result;
import dev.infero.ir.IrWriter;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code -exec_graph_path}: the graph as it ran, written as IR XML with OpenVINO's execution-graph rt_info on every
 * layer: {@code layerType}, {@code execType} (the kernel), {@code execOrder}, {@code execTimeMcs},
 * {@code runtimePrecision}, {@code outputPrecisions} and {@code originalLayersNames}.
 */
final class ExecGraph {
    private ExecGraph() {
    }

    /** Annotates {@code graph} with the counters of one request and writes it to {@code xml} (plus its .bin). */
    static IrWriter.Written write(Graph graph, List<ProfilingInfo> counters, Path xml) {
        Map<String, ProfilingInfo> byName = new HashMap<>();
        Map<String, Integer> order = new HashMap<>();
        for (int i = 0; i < counters.size(); i++) {
            byName.put(counters.get(i).nodeName(), counters.get(i));
            order.put(counters.get(i).nodeName(), i);
        }
        for (Node n : graph.nodes()) {
            ProfilingInfo p = byName.get(n.name());
            String precision = n.outputs().isEmpty() ? "undefined" : n.output(0).type().precision();
            n.rtInfo().put("layerType", n.type());
            n.rtInfo().put("execType", p != null ? p.execType() : notExecuted(n));
            n.rtInfo().put("execOrder", Integer.toString(order.getOrDefault(n.name(), -1)));
            n.rtInfo().put("execTimeMcs", p != null ? Long.toString(p.realTimeNanos() / 1000) : "not_executed");
            n.rtInfo().put("runtimePrecision", precision);
            n.rtInfo().put("outputPrecisions", precision);
            n.rtInfo().put("originalLayersNames", n.name());
        }
        String file = xml.getFileName().toString();
        String stem = file.toLowerCase(Locale.ROOT).endsWith(".xml") ? file.substring(0, file.length() - 4) : file;
        Path dir = xml.toAbsolutePath().getParent();
        return IrWriter.write(graph, dir, stem);
    }

    /** What stands for a node that ran no kernel: inputs, outputs, constants and what was folded at compile time. */
    private static String notExecuted(Node n) {
        return switch (n.op()) {
            case Parameter p -> "input";
            case Result r -> "output";
            case Constant c -> "constant";
            default -> "folded_at_compile_time";
        };
    }
}
