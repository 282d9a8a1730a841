package dev.infero.cpu.step;

import dev.infero.core.graph.Node;
import dev.infero.core.op.Op;
import dev.infero.core.tensor.Tensor;
import dev.infero.cpu.parallel.WorkerPool;

/** Runs an op's reference evaluation: the fallback for every op without a specialised kernel. */
public final class ReferenceStep implements Step<Void> {
    private final Op op;
    private final ExecType execType;

    public ReferenceStep(Node node) {
        this.op = node.op();
        this.execType = ExecType.of("reference", node.outputs().isEmpty() ? "any" : node.output(0).type().precision());
    }

    @Override
    public ExecType execType() {
        return execType;
    }

    @Override
    public void run(Tensor[] inputs, Tensor[] outputs, Void scratch, WorkerPool pool) {
        op.evaluate(inputs, outputs);
    }
}
