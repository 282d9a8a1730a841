package dev.infero.cli;

import dev.infero.api.Core;
import dev.infero.api.Model;
import dev.infero.core.device.PortInfo;
import dev.infero.core.graph.Graph;
import dev.infero.transforms.Optimizations;
import dev.infero.transforms.PassManager;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code infero info MODEL}: inputs, outputs, operator histogram, parameter count and FLOPs. */
@Command(name = "info", mixinStandardHelpOptions = true,
        description = "Show a model's inputs, outputs, operator histogram, parameters, FLOPs and what graph optimization removes.")
final class InfoCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "MODEL", description = "Model file (.onnx or OpenVINO IR .xml).")
    Path model;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        try (Core core = new Core()) {
            Model m = core.readModel(model);
            Graph g = m.graph();
            out.println("Model: " + model + " (" + g.name() + ")");
            g.metadata().forEach((k, v) -> out.println("  " + k + ": " + v));
            out.println("Inputs:");
            for (PortInfo p : m.inputs()) {
                out.println("  " + p);
            }
            out.println("Outputs:");
            for (PortInfo p : m.outputs()) {
                out.println("  " + p);
            }
            int before = g.nodes().size();
            ModelSize size = ModelSize.of(g);
            out.println("Operators (" + g.nodes().size() + " nodes):");
            for (Map.Entry<String, Integer> e : g.opHistogram().entrySet()) {
                out.printf("  %-24s %d%n", e.getKey(), e.getValue());
            }
            out.printf("Parameters: %,d%n", size.parameters());
            out.printf("FLOPs: %,d (%.3f GFLOPs)%n", size.flops(), size.flops() / 1e9);
            out.println("Graph optimizations (as convert applies them):");
            for (PassManager.Step step : new PassManager(Optimizations.standard()).run(g)) {
                out.println("  " + step);
            }
            out.println("Nodes: " + before + " as read, " + g.nodes().size() + " after optimization");
            out.println("CPU kernels: " + dev.infero.cli.benchmark.SystemInfo.kernels());
        }
        return 0;
    }
}
