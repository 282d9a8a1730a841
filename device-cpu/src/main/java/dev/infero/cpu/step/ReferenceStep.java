package dev.infero.cpu.step;

import dev.infero.core.graph.Node;
import dev.infero.core.op.Op;
import dev.infero.core.tensor.Tensor;
import dev.infero.cpu.parallel.WorkerPool;

/** Runs an op's reference evaluation: the fallback for every op without a specialised kernel. */
public final class ReferenceStep implements Step {
    private final Op op;
    private final String execType;

    public ReferenceStep(Node node) {
        this.op = node.op();
        this.execType = "reference_" + (node.outputs().isEmpty() ? "any" : node.output(0).type().precision());
    }

    @Override
    public String execType() {
        return execType;
    }

    @Override
    public void run(Tensor[] inputs, Tensor[] outputs, Object scratch, WorkerPool pool) {
        op.evaluate(inputs, outputs);
    }
}
