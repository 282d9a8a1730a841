package dev.infero.transforms;

import dev.infero.core.graph.Graph;
import java.util.ArrayList;
import java.util.List;

/** Runs passes in order and records what each did, for {@code --transformations-report} and {@code info}. */
public final class PassManager {
    /** What one pass did: rewrites made and node counts around it. */
    public record Step(String pass, int rewrites, int nodesBefore, int nodesAfter) {
        @Override
        public String toString() {
            return String.format("%-34s %5d rewrites   nodes %5d -> %5d", pass, rewrites, nodesBefore, nodesAfter);
        }
    }

    private final List<Pass> passes;

    public PassManager(List<Pass> passes) {
        this.passes = List.copyOf(passes);
    }

    public List<Step> run(Graph graph) {
        List<Step> report = new ArrayList<>();
        for (Pass pass : passes) {
            int before = graph.nodes().size();
            int rewrites = pass.apply(graph);
            report.add(new Step(pass.name(), rewrites, before, graph.nodes().size()));
        }
        return report;
    }
}
