package dev.infero.cpu;

import dev.infero.core.InferoException;
import dev.infero.core.device.ExecutionRequest;
import dev.infero.core.device.PortInfo;
import dev.infero.core.device.ProfilingInfo;
import dev.infero.core.op.InferContext;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.core.types.PartialShape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Buffers and execution for one request. When every shape was known at compile time, outputs are allocated once and
 * each run only calls kernels. Otherwise (dynamic input dimensions, data-dependent shapes) each step infers its
 * output shapes from the actual inputs first and reuses its previous buffer when the shape has not changed.
 */
final class CpuRequest implements ExecutionRequest {
    private final ExecutionPlan plan;
    private final Tensor[] slots;
    private final Tensor[][] stepInputs;
    private final Tensor[][] stepOutputs;
    private final boolean staticPlan;
    private long[] stepNanos;

    CpuRequest(ExecutionPlan plan) {
        this.plan = plan;
        this.slots = plan.constants.clone();
        this.stepInputs = new Tensor[plan.steps.size()][];
        this.stepOutputs = new Tensor[plan.steps.size()][];
        boolean allStatic = true;
        for (int s = 0; s < plan.steps.size(); s++) {
            ExecutionPlan.Step step = plan.steps.get(s);
            stepInputs[s] = new Tensor[step.inputs().length];
            stepOutputs[s] = new Tensor[step.outputs().length];
            for (int slot : step.outputs()) {
                allStatic &= plan.values[slot].shape().isStatic();
            }
        }
        this.staticPlan = allStatic;
        if (staticPlan) {
            MemoryPlan.allocate(plan, slots);
        }
    }

    @Override
    public void setInput(int index, Tensor tensor) {
        if (index < 0 || index >= plan.inputSlots.length) {
            throw new InferoException("input index " + index + " is out of range: the model has "
                    + plan.inputSlots.length + " inputs");
        }
        PortInfo port = plan.inputs.get(index);
        if (tensor.type() != port.type()) {
            throw new InferoException("input '" + port.name() + "' expects " + port.type() + " data, got "
                    + tensor.type());
        }
        if (!port.shape().accepts(tensor.shape())) {
            throw new InferoException("input '" + port.name() + "' expects shape " + port.shape() + ", got "
                    + Arrays.toString(tensor.shape()).replace(" ", ""));
        }
        slots[plan.inputSlots[index]] = tensor;
    }

    @Override
    public Tensor input(int index) {
        return slots[plan.inputSlots[index]];
    }

    @Override
    public void run() {
        for (int i = 0; i < plan.inputSlots.length; i++) {
            if (slots[plan.inputSlots[i]] == null) {
                throw new InferoException("input '" + plan.inputs.get(i).name() + "' was not set");
            }
        }
        boolean fixedShapes = staticPlan && inputsMatchCompiledShapes();
        for (int s = 0; s < plan.steps.size(); s++) {
            ExecutionPlan.Step step = plan.steps.get(s);
            Tensor[] in = stepInputs[s];
            for (int i = 0; i < in.length; i++) {
                in[i] = step.inputs()[i] < 0 ? null : slots[step.inputs()[i]];
            }
            Tensor[] out = stepOutputs[s];
            if (!fixedShapes) {
                allocateOutputs(step, in);
            }
            for (int i = 0; i < out.length; i++) {
                out[i] = slots[step.outputs()[i]];
            }
            if (stepNanos == null) {
                step.node().op().evaluate(in, out);
            } else {
                long t0 = System.nanoTime();
                step.node().op().evaluate(in, out);
                stepNanos[s] = System.nanoTime() - t0;
            }
        }
    }

    @Override
    public void setProfiling(boolean enabled) {
        stepNanos = enabled ? new long[plan.steps.size()] : null;
    }

    @Override
    public List<ProfilingInfo> profilingInfo() {
        if (stepNanos == null) {
            return List.of();
        }
        List<ProfilingInfo> rows = new ArrayList<>();
        for (int s = 0; s < plan.steps.size(); s++) {
            var node = plan.steps.get(s).node();
            String precision = node.outputs().isEmpty() ? "" : "_" + node.output(0).type().precision();
            rows.add(new ProfilingInfo(node.name(), node.type(), ProfilingInfo.Status.EXECUTED,
                    "reference" + precision, stepNanos[s]));
        }
        return rows;
    }

    private boolean inputsMatchCompiledShapes() {
        for (int slot : plan.inputSlots) {
            PartialShape compiled = plan.values[slot].shape();
            if (!compiled.isStatic() || !Arrays.equals(compiled.toArray(), slots[slot].shape())) {
                return false;
            }
        }
        return true;
    }

    /** Infers this step's output shapes from its actual inputs and (re)allocates buffers that do not fit. */
    private void allocateOutputs(ExecutionPlan.Step step, Tensor[] in) {
        RunContext ctx = new RunContext(step, in);
        step.node().op().infer(ctx);
        for (int i = 0; i < step.outputs().length; i++) {
            int slot = step.outputs()[i];
            Tensor current = slots[slot];
            if (current == null || current.type() != ctx.types[i] || !Arrays.equals(current.shape(), ctx.shapes[i])) {
                slots[slot] = Tensor.allocate(ctx.types[i], ctx.shapes[i]);
            }
        }
    }

    @Override
    public Tensor output(int index) {
        return slots[plan.outputSlots[index]];
    }

    /** Shape inference over concrete tensors: every input value is known. */
    private static final class RunContext implements InferContext {
        private final ExecutionPlan.Step step;
        private final Tensor[] in;
        final ElementType[] types;
        final int[][] shapes;

        RunContext(ExecutionPlan.Step step, Tensor[] in) {
            this.step = step;
            this.in = in;
            this.types = new ElementType[step.outputs().length];
            this.shapes = new int[step.outputs().length][];
        }

        @Override
        public int inputCount() {
            return in.length;
        }

        @Override
        public boolean hasInput(int i) {
            return i < in.length && in[i] != null;
        }

        @Override
        public ElementType inputType(int i) {
            return in[i].type();
        }

        @Override
        public PartialShape inputShape(int i) {
            return PartialShape.of(in[i].shape());
        }

        @Override
        public Tensor inputValue(int i) {
            return hasInput(i) ? in[i] : null;
        }

        @Override
        public void setOutput(int i, ElementType type, PartialShape shape) {
            if (!shape.isStatic()) {
                throw error("output " + i + " shape " + shape + " is still unknown with concrete inputs");
            }
            types[i] = type;
            shapes[i] = shape.toArray();
        }

        @Override
        public String nodeName() {
            return step.node().name();
        }

        @Override
        public InferoException error(String message) {
            StringBuilder ins = new StringBuilder();
            for (Tensor t : in) {
                ins.append(ins.isEmpty() ? "" : ", ").append(t == null ? "-" : t.describe());
            }
            return new InferoException("node '" + nodeName() + "' (" + step.node().type() + "): " + message
                    + " [inputs: " + ins + "]");
        }
    }
}
