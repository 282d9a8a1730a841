package dev.infero.cpu;

import dev.infero.core.graph.Node;
import dev.infero.core.op.Op;
import dev.infero.core.tensor.Tensor;
import dev.infero.cpu.parallel.WorkerPool;

/** Runs an op's reference evaluation: the fallback for every op without a specialised kernel. */
final class ReferenceKernel implements Kernel {
    private final Op op;
    private final String execType;

    ReferenceKernel(Node node) {
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
