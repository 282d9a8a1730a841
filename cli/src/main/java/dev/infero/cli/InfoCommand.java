package dev.infero.cli;

import dev.infero.api.Core;
import dev.infero.api.Model;
import dev.infero.core.device.PortInfo;
import dev.infero.core.graph.Graph;
import dev.infero.core.graph.Node;
import dev.infero.core.ops.Constant;
import dev.infero.transforms.Optimizations;
import dev.infero.transforms.PassManager;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code infero info MODEL}: inputs, outputs, operator histogram, parameter count and FLOPs. */
@Command(name = "info", mixinStandardHelpOptions = true,
        description = "Show a model's inputs, outputs, operator histogram, parameters, FLOPs and what graph optimization removes.")
final class InfoCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "MODEL", description = "Model file (.onnx or OpenVINO IR .xml).")
    Path model;

    @Override
    public Integer call() {
        try (Core core = new Core()) {
            Model m = core.readModel(model);
            Graph g = m.graph();
            System.out.println("Model: " + model + " (" + g.name() + ")");
            g.metadata().forEach((k, v) -> System.out.println("  " + k + ": " + v));
            System.out.println("Inputs:");
            for (PortInfo p : m.inputs()) {
                System.out.println("  " + p);
            }
            System.out.println("Outputs:");
            for (PortInfo p : m.outputs()) {
                System.out.println("  " + p);
            }
            int before = g.nodes().size();
            long params = 0;
            long flops = 0;
            for (Node n : g.nodes()) {
                if (n.op() instanceof Constant c && c.value().type().isFloating()) {
                    params += c.value().size();
                }
                flops += n.op().flops(n);
            }
            System.out.println("Operators (" + g.nodes().size() + " nodes):");
            for (Map.Entry<String, Integer> e : g.opHistogram().entrySet()) {
                System.out.printf("  %-24s %d%n", e.getKey(), e.getValue());
            }
            System.out.printf("Parameters: %,d%n", params);
            System.out.printf("FLOPs: %,d (%.3f GFLOPs)%n", flops, flops / 1e9);
            System.out.println("Graph optimizations (as convert applies them):");
            for (PassManager.Step step : new PassManager(Optimizations.standard()).run(g)) {
                System.out.println("  " + step);
            }
            System.out.println("Nodes: " + before + " as read, " + g.nodes().size() + " after optimization");
        }
        return 0;
    }
}
