package dev.infero.cpu;

import dev.infero.core.InferoException;
import dev.infero.core.ResourceLimits;
import dev.infero.core.InvalidInputException;
import dev.infero.core.device.ExecutionRequest;
import dev.infero.core.device.PortInfo;
import dev.infero.core.device.ProfilingInfo;
import dev.infero.core.op.ConcreteInferContext;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.PartialShape;
import dev.infero.cpu.jit.HeapSegments;
import dev.infero.cpu.parallel.WorkerPool;
import dev.infero.cpu.step.Step;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Buffers and execution for one request. When every shape was known at compile time, outputs are allocated once and
 * each run only calls kernels. Otherwise (dynamic input dimensions, data-dependent shapes) each step infers its
 * output shapes from the actual inputs first and reuses its previous buffer when the shape has not changed; with
 * dynamic input dimensions a run first asks the model's {@link ShapePlanCache} for a plan compiled for its concrete
 * shapes and, when there is one, runs that plan's own request instead.
 */
final class CpuRequest implements ExecutionRequest {
    private final ExecutionPlan plan;
    private final WorkerPools pools;
    /** Slot tensors of the compiled (static) plan: constants, bound inputs and planned intermediates. */
    private final Tensor[] slots;
    /** Slot tensors of the last run with other shapes than compiled (or of every run of a dynamic plan). */
    private Tensor[] dynamicSlots;
    private Tensor[] lastRun;
    /** Per step of a static plan, the step with this request's scratch. */
    private final Step.Bound<?>[] bound;
    /** Per step of {@code plan.steps} and of {@code plan.referenceSteps}, its input and output arrays (filled per run). */
    private final Tensor[][] staticInputs;
    private final Tensor[][] staticOutputs;
    private final Tensor[][] referenceInputs;
    private final Tensor[][] referenceOutputs;
    private long[] stepNanos;
    private boolean lastRunStatic;
    /** Per input, the compiled static shape ({@code null} when dynamic): compared on every run without allocating. */
    private final int[][] compiledInputShapes;
    /** Plans specialised to the run's input shapes ({@code null} when the model has none); see {@link ShapePlanCache}. */
    private final ShapePlanCache.Requests specialised;
    /** The specialised request the last run delegated to, else {@code null}. */
    private CpuRequest lastSpecialised;
    /** Per step of a static plan on pools of several threads, whether it splits; else {@code null}. */
    private final SplitChooser splits;
    /**
     * Per thread of a pool (0 the caller), the heap segments of the arrays its generated kernels have been given
     * (see {@link HeapSegments}): bound while a static plan runs, so each array's segment is made once, by the first
     * inference, not per kernel call.
     */
    private final HeapSegments[] segments;
    /** Binds {@link #segments} on the pool's workers around their rounds. */
    private final WorkerPool.ThreadBinding binding = new WorkerPool.ThreadBinding() {
        @Override
        public void enter(int thread) {
            HeapSegments.bind(segments[thread]);
        }

        @Override
        public void exit(int thread) {
            HeapSegments.bind(null);
        }
    };

    CpuRequest(ExecutionPlan plan, WorkerPools pools) {
        this(plan, pools, null);
    }

    CpuRequest(ExecutionPlan plan, WorkerPools pools, ShapePlanCache shapePlans) {
        this.plan = plan;
        this.specialised = shapePlans == null ? null : shapePlans.new Requests(pools);
        this.pools = pools;
        this.slots = plan.constants.clone();
        int n = plan.steps.size();
        this.bound = new Step.Bound<?>[n];
        // Allocated here, not on first use: a run then only fills them (no allocation, no deoptimisation on reload).
        this.staticInputs = argumentArrays(plan.steps, true);
        this.staticOutputs = argumentArrays(plan.steps, false);
        this.referenceInputs = argumentArrays(plan.referenceSteps, true);
        this.referenceOutputs = argumentArrays(plan.referenceSteps, false);
        if (plan.isStatic) {
            MemoryPlan.allocate(plan, slots);
            int transientFloats = 0;
            for (ExecutionPlan.Entry step : plan.steps) {
                transientFloats = Math.max(transientFloats, step.step().transientFloats(pools.threadsPerPool()));
            }
            float[] transientBuffer = new float[transientFloats];
            for (int s = 0; s < n; s++) {
                bound[s] = plan.steps.get(s).step().bind(pools.threadsPerPool(), transientBuffer);
            }
        }
        this.splits = plan.isStatic && pools.threadsPerPool() > 1 && SplitChooser.ENABLED
                ? SplitChooser.of(plan, pools.threadsPerPool()) : null;
        this.segments = new HeapSegments[pools.threadsPerPool()];
        for (int t = 0; t < segments.length; t++) {
            segments[t] = new HeapSegments();
        }
        this.lastRun = slots;
        this.compiledInputShapes = new int[plan.inputSlots.length][];
        for (int i = 0; i < plan.inputSlots.length; i++) {
            PartialShape compiled = plan.values[plan.inputSlots[i]].shape();
            compiledInputShapes[i] = compiled.isStatic() ? compiled.toArray() : null;
        }
    }

    @Override
    public void setInput(int index, Tensor tensor) {
        if (index < 0 || index >= plan.inputSlots.length) {
            throw new InvalidInputException("input index " + index + " is out of range: the model has "
                    + plan.inputSlots.length + " inputs");
        }
        PortInfo port = plan.inputs.get(index);
        if (tensor.type() != port.type()) {
            throw new InvalidInputException("input '" + port.name() + "' expects " + port.type() + " data, got "
                    + tensor.type());
        }
        if (!port.shape().accepts(tensor.shape())) {
            throw new InvalidInputException("input '" + port.name() + "' expects shape " + port.shape() + ", got "
                    + Arrays.toString(tensor.shape()).replace(" ", ""));
        }
        if (slots[plan.inputSlots[index]] != tensor) {
            // The old input's array leaves the tables with it (the next run makes the new one's segment once).
            for (HeapSegments s : segments) {
                s.clear();
            }
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
                throw new InvalidInputException("input '" + plan.inputs.get(i).name() + "' was not set");
            }
        }
        lastSpecialised = specialised == null ? null : specialised.bind(slots, plan.inputSlots);
        if (lastSpecialised != null) {
            lastSpecialised.run();
            return;
        }
        WorkerPool pool = pools.borrow();
        boolean compiledShapes = plan.isStatic && inputsMatchCompiledShapes();
        // Only a static plan's arrays stay the same from run to run: a dynamic one's kernels get a segment per call.
        pool.begin(compiledShapes ? binding : null);
        HeapSegments callerBefore = HeapSegments.bind(compiledShapes ? segments[0] : null);
        try {
            if (compiledShapes) {
                long start = System.nanoTime();
                runSteps(plan.steps, staticInputs, staticOutputs, slots, pool, false);
                if (splits != null) {
                    splits.endInference(pool.contendedInInference(), System.nanoTime() - start);
                }
                lastRun = slots;
                lastRunStatic = true;
            } else {
                dynamicSlots = plan.constants.clone();
                for (int slot : plan.inputSlots) {
                    dynamicSlots[slot] = slots[slot];
                }
                runSteps(plan.referenceSteps, referenceInputs, referenceOutputs, dynamicSlots, pool, true);
                lastRun = dynamicSlots;
                lastRunStatic = false;
            }
        } finally {
            HeapSegments.bind(callerBefore);
            pool.limitThreads(Integer.MAX_VALUE);
            pool.end();
            pools.giveBack(pool);
        }
    }

    /** Per step, an array as long as its inputs (or outputs). */
    private static Tensor[][] argumentArrays(List<ExecutionPlan.Entry> steps, boolean inputs) {
        Tensor[][] arrays = new Tensor[steps.size()][];
        for (int s = 0; s < arrays.length; s++) {
            ExecutionPlan.Entry step = steps.get(s);
            arrays[s] = new Tensor[inputs ? step.inputs().length : step.outputs().length];
        }
        return arrays;
    }

    private void runSteps(List<ExecutionPlan.Entry> steps, Tensor[][] stepInputs, Tensor[][] stepOutputs,
            Tensor[] tensors, WorkerPool pool, boolean inferShapes) {
        for (int s = 0; s < steps.size(); s++) {
            ExecutionPlan.Entry step = steps.get(s);
            Tensor[] in = stepInputs[s];
            for (int i = 0; i < in.length; i++) {
                in[i] = step.inputs()[i] < 0 ? null : tensors[step.inputs()[i]];
            }
            if (inferShapes) {
                allocateOutputs(step, in, tensors);
            }
            Tensor[] out = stepOutputs[s];
            for (int i = 0; i < out.length; i++) {
                out[i] = tensors[step.outputs()[i]];
            }
            SplitChooser chooser = inferShapes ? null : splits;
            if (chooser != null) {
                pool.limitThreads(chooser.limit(s, pool.contended()));
            }
            if (stepNanos == null && (chooser == null || !chooser.measuring())) {
                run(step, s, in, out, pool, inferShapes);
            } else {
                long t0 = System.nanoTime();
                run(step, s, in, out, pool, inferShapes);
                long t = System.nanoTime() - t0;
                if (stepNanos != null) {
                    stepNanos[s] = t;
                }
                if (chooser != null && chooser.measuring()) {
                    chooser.record(s, t);
                }
            }
        }
    }

    /** Step {@code s} on this request's scratch; with {@code inferShapes} a reference step, which needs none. */
    private void run(ExecutionPlan.Entry step, int s, Tensor[] in, Tensor[] out, WorkerPool pool, boolean inferShapes) {
        if (inferShapes || bound[s] == null) {
            step.step().run(in, out, null, pool);
        } else {
            bound[s].run(in, out, pool);
        }
    }

    @Override
    public void setProfiling(boolean enabled) {
        stepNanos = enabled ? new long[Math.max(plan.steps.size(), plan.referenceSteps.size())] : null;
        if (specialised != null) {
            specialised.setProfiling(enabled);
        }
    }

    /** One row per node: fused nodes are reported as optimized out, naming the step that absorbed them. */
    @Override
    public List<ProfilingInfo> profilingInfo() {
        if (lastSpecialised != null) {
            return lastSpecialised.profilingInfo();
        }
        if (stepNanos == null) {
            return List.of();
        }
        List<ExecutionPlan.Entry> steps = lastRunStatic ? plan.steps : plan.referenceSteps;
        List<ProfilingInfo> rows = new ArrayList<>();
        for (int s = 0; s < steps.size(); s++) {
            ExecutionPlan.Entry step = steps.get(s);
            rows.add(new ProfilingInfo(step.node().name(), step.node().type(), ProfilingInfo.Status.EXECUTED,
                    step.step().execType().toString(), stepNanos[s]));
            for (var fused : step.fused()) {
                rows.add(new ProfilingInfo(fused.name(), fused.type(), ProfilingInfo.Status.OPTIMIZED_OUT,
                        "fused_into:" + step.node().name(), 0));
            }
        }
        return rows;
    }

    private boolean inputsMatchCompiledShapes() {
        for (int i = 0; i < plan.inputSlots.length; i++) {
            int[] compiled = compiledInputShapes[i];
            if (compiled == null || !Arrays.equals(compiled, slots[plan.inputSlots[i]].shape())) {
                return false;
            }
        }
        return true;
    }

    /** Infers this step's output shapes from its actual inputs and (re)allocates buffers that do not fit. */
    private void allocateOutputs(ExecutionPlan.Entry step, Tensor[] in, Tensor[] tensors) {
        ConcreteInferContext ctx = new ConcreteInferContext(step.node(), in, "node");
        step.node().op().infer(ctx);
        for (int i = 0; i < step.outputs().length; i++) {
            int slot = step.outputs()[i];
            // Shapes computed from input data (a shape tensor read from a file) may be absurd: name the node.
            ResourceLimits.current().checkTensor("node '" + step.node().name() + "' (" + step.node().type()
                    + ") output " + i, ctx.outputType(i), ctx.outputShape(i));
            tensors[slot] = Tensor.allocate(ctx.outputType(i), ctx.outputShape(i));
        }
    }

    @Override
    public Tensor output(int index) {
        return lastSpecialised != null ? lastSpecialised.output(index) : lastRun[plan.outputSlots[index]];
    }
}
