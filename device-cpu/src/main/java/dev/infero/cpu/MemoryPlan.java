package dev.infero.cpu;

import dev.infero.core.ResourceLimits;
import dev.infero.core.graph.Value;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.core.types.Shapes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Assigns the intermediate tensors of a static plan to shared arrays by liveness: once the last step reading a value
 * has run, its array is free for a later step's output. Model outputs are never shared, so they stay readable after
 * a run. A step's outputs never share an array with its own inputs (kernels need not be written for aliasing).
 */
final class MemoryPlan {
    private MemoryPlan() {
    }

    /** Allocates every step output of {@code plan} into {@code slots}; returns the bytes of arrays allocated. */
    static long allocate(ExecutionPlan plan, Tensor[] slots) {
        return walk(plan, slots);
    }

    /**
     * The bytes {@link #allocate} would allocate for one request, computed without allocating; throws a
     * {@link dev.infero.core.ResourceLimitException} naming the tensor when one of them alone exceeds the
     * {@link ResourceLimits} limit for a tensor.
     */
    static long plannedBytes(ExecutionPlan plan) {
        return walk(plan, null);
    }

    /** The liveness walk of both: allocates into {@code slots}, or only counts when it is {@code null}. */
    private static long walk(ExecutionPlan plan, Tensor[] slots) {
        int steps = plan.steps.size();
        int[] lastUse = new int[plan.values.length];
        Arrays.fill(lastUse, -1);
        for (int s = 0; s < steps; s++) {
            for (int slot : plan.steps.get(s).inputs()) {
                if (slot >= 0) {
                    lastUse[slot] = s;
                }
            }
        }
        for (int slot : plan.outputSlots) {
            lastUse[slot] = Integer.MAX_VALUE;
        }
        ResourceLimits limits = ResourceLimits.current();
        Buffer[] held = new Buffer[plan.values.length];
        Map<ElementType.Storage, List<Buffer>> free = new EnumMap<>(ElementType.Storage.class);
        long bytes = 0;
        for (int s = 0; s < steps; s++) {
            ExecutionPlan.Entry step = plan.steps.get(s);
            for (int slot : step.outputs()) {
                ElementType type = plan.values[slot].type();
                int[] shape = plan.values[slot].shape().toArray();
                if (slots == null) {
                    Value v = plan.values[slot];
                    limits.checkTensor("tensor '" + v.displayName() + "' (output of " + v.node().type() + " '"
                            + v.node().name() + "')", type, shape);
                }
                int size = Shapes.size(shape);
                Buffer buffer = take(free.computeIfAbsent(type.storage(), k -> new ArrayList<>()), size);
                if (buffer == null) {
                    bytes += (long) size * type.bytes();
                    Tensor t = slots == null ? null : Tensor.allocate(type, shape);
                    buffer = new Buffer(type.storage(), t == null ? null : t.array(), size);
                    if (slots != null) {
                        slots[slot] = t;
                    }
                } else if (slots != null) {
                    slots[slot] = Tensor.wrap(type, shape, buffer.array);
                }
                held[slot] = buffer;
            }
            for (int slot : step.inputs()) {
                if (slot >= 0 && lastUse[slot] == s && isIntermediate(plan, slot) && held[slot] != null) {
                    release(free, held[slot]);
                    lastUse[slot] = -2;
                }
            }
            for (int slot : step.outputs()) {
                if (lastUse[slot] == -1) {
                    release(free, held[slot]);
                }
            }
        }
        return bytes;
    }

    /** An array of the plan (or, when only counting, its size): what a later output may reuse. */
    private record Buffer(ElementType.Storage storage, Object array, int length) {
    }

    private static boolean isIntermediate(ExecutionPlan plan, int slot) {
        if (plan.constants[slot] != null) {
            return false;
        }
        for (int in : plan.inputSlots) {
            if (in == slot) {
                return false;
            }
        }
        return true;
    }

    /** The smallest free buffer that holds {@code size} elements, removed from the list; {@code null} if none. */
    private static Buffer take(List<Buffer> free, int size) {
        int best = -1;
        for (int i = 0; i < free.size(); i++) {
            int len = free.get(i).length;
            if (len >= size && (best < 0 || len < free.get(best).length)) {
                best = i;
            }
        }
        return best < 0 ? null : free.remove(best);
    }

    private static void release(Map<ElementType.Storage, List<Buffer>> free, Buffer b) {
        free.computeIfAbsent(b.storage, k -> new ArrayList<>()).add(b);
    }
}
