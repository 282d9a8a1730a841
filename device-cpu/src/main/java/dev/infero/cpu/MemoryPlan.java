package dev.infero.cpu;

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
        int steps = plan.steps.size();
        int[] lastUse = new int[slots.length];
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
        Map<ElementType.Storage, List<Object>> free = new EnumMap<>(ElementType.Storage.class);
        long bytes = 0;
        for (int s = 0; s < steps; s++) {
            ExecutionPlan.Step step = plan.steps.get(s);
            for (int slot : step.outputs()) {
                ElementType type = plan.values[slot].type();
                int[] shape = plan.values[slot].shape().toArray();
                Object array = take(free.computeIfAbsent(type.storage(), k -> new ArrayList<>()), Shapes.size(shape));
                if (array == null) {
                    Tensor t = Tensor.allocate(type, shape);
                    bytes += t.byteSize();
                    slots[slot] = t;
                } else {
                    slots[slot] = Tensor.wrap(type, shape, array);
                }
            }
            for (int slot : step.inputs()) {
                if (slot >= 0 && lastUse[slot] == s && isIntermediate(plan, slot)) {
                    release(free, slots[slot]);
                    lastUse[slot] = -2;
                }
            }
            for (int slot : step.outputs()) {
                if (lastUse[slot] == -1) {
                    release(free, slots[slot]);
                }
            }
        }
        return bytes;
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

    /** The smallest free array that holds {@code size} elements, removed from the list; {@code null} if none. */
    private static Object take(List<Object> free, int size) {
        int best = -1;
        for (int i = 0; i < free.size(); i++) {
            int len = java.lang.reflect.Array.getLength(free.get(i));
            if (len >= size && (best < 0 || len < java.lang.reflect.Array.getLength(free.get(best)))) {
                best = i;
            }
        }
        return best < 0 ? null : free.remove(best);
    }

    private static void release(Map<ElementType.Storage, List<Object>> free, Tensor t) {
        free.computeIfAbsent(t.type().storage(), k -> new ArrayList<>()).add(t.array());
    }
}
