package dev.infero.cpu;

import dev.infero.core.ResourceLimits;
import dev.infero.core.device.Device;
import dev.infero.core.device.ExecutionConfig;
import dev.infero.core.device.Executable;
import dev.infero.core.graph.Graph;
import dev.infero.cpu.jit.KernelCache;
import java.util.Map;

/**
 * The CPU device: plans a graph into a sequence of kernel calls over preallocated buffers. Streams and threads follow
 * {@link ExecutionConfig} over the processors available to the JVM. Heavy FP32 layers run x86-64 code generated for
 * their shapes when the JIT is on (see {@link dev.infero.cpu.jit.Jit}); the compiled model owns that code.
 */
public final class CpuDevice implements Device {
    private static final java.lang.ref.Cleaner CLEANER = java.lang.ref.Cleaner.create();

    @Override
    public String name() {
        return "CPU";
    }

    @Override
    public Executable compile(Graph graph, Map<String, String> config) {
        ExecutionConfig settings = ExecutionConfig.resolve(config, Runtime.getRuntime().availableProcessors());
        // Kernels generated while the plan is built go into the model's own cache, unmapped when it is closed.
        KernelCache jit = new KernelCache(graph.name());
        ExecutionPlan plan;
        try {
            plan = KernelCache.compiling(jit, () -> ExecutionPlan.of(graph));
            if (plan.isStatic) {
                // Each request allocates the plan's buffers: refuse here, naming the tensor, rather than at the
                // first createInferRequest with an OutOfMemoryError.
                ResourceLimits.current().checkModel("model '" + graph.name() + "' (the buffers of one inference "
                        + "request)", MemoryPlan.plannedBytes(plan));
            }
        } catch (RuntimeException | Error e) {
            jit.close();
            throw e;
        }
        // A model dropped without close() still frees its code once no request can run it: requests and the model
        // hold the plan.
        CLEANER.register(plan, jit::closeQuietly);
        ShapePlanCache shapePlans = ShapePlanCache.applies(graph, plan) && settings.shapeCacheCapacity() > 0
                ? new ShapePlanCache(graph, settings.shapeCacheCapacity(), jit) : null;
        return new CpuExecutable(graph.name(), plan, settings, jit, shapePlans);
    }
}
