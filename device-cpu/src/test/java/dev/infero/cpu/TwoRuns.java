package dev.infero.cpu;

import dev.infero.core.device.Executable;
import dev.infero.core.device.ExecutionRequest;
import dev.infero.core.device.ProfilingInfo;
import dev.infero.core.graph.Graph;
import dev.infero.core.tensor.Tensor;
import java.util.List;

/** Plan-comparison tests' run: one request run twice on one input, the second time on reused buffers. */
public final class TwoRuns {
    private TwoRuns() {
    }

    /**
     * Copies of the outputs of the second run of a new request of {@code compiled} (a compile of {@code g}), which
     * it closes; with {@code rows} non-null, profiling on and its rows added there.
     */
    public static Tensor[] outputs(Executable compiled, Graph g, Tensor x, List<ProfilingInfo> rows) {
        try (compiled) {
            ExecutionRequest request = compiled.newRequest();
            request.setProfiling(rows != null);
            Tensor[] outputs = null;
            for (int round = 0; round < 2; round++) {
                request.setInput(0, x);
                request.run();
                outputs = new Tensor[g.results().size()];
                for (int o = 0; o < outputs.length; o++) {
                    outputs[o] = request.output(o).copy();
                }
            }
            if (rows != null) {
                rows.addAll(request.profilingInfo());
            }
            return outputs;
        }
    }
}
