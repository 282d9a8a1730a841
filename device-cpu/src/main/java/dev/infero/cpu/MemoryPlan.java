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
 * a run. A step's outputs never share an array with its own inputs (kernels need not be written for aliasing),
 * except where the step offers one ({@link dev.infero.cpu.step.Step#inPlaceInput}, element-wise kernels) and is that
 * input's last reader: then its output takes over the input's array (an intermediate, not a model input, output,
 * constant, or an in-place Concat's array or view).
 * An input of an in-place Concat ({@link ExecutionPlan#viewOf}, see {@link InPlaceConcat}) has no array of its own:
 * the Concat output's array is allocated when the first such input is written, and it is held until the last reader
 * of the Concat output or of any of its views has run. A view at offset 0 is a tensor of its own shape over that
 * array; a view further in is the Concat output's tensor itself, which its producer writes at the offset.
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
        for (int slot = 0; slot < lastUse.length; slot++) {
            int root = plan.viewOf[slot];
            if (root >= 0) {
                lastUse[root] = Math.max(lastUse[root], lastUse[slot]);
            }
        }
        boolean[] viewed = new boolean[plan.values.length];
        for (int slot = 0; slot < viewed.length; slot++) {
            if (plan.viewOf[slot] >= 0) {
                viewed[plan.viewOf[slot]] = true;
            }
        }
        ResourceLimits limits = ResourceLimits.current();
        Buffer[] held = new Buffer[plan.values.length];
        Map<ElementType.Storage, List<Buffer>> free = new EnumMap<>(ElementType.Storage.class);
        long bytes = 0;
        for (int s = 0; s < steps; s++) {
            ExecutionPlan.Entry step = plan.steps.get(s);
            for (int slot : step.outputs()) {
                int root = plan.viewOf[slot];
                if (root >= 0) {
                    if (held[root] == null) {
                        held[root] = place(plan, root, slots, free, limits);
                        bytes += held[root].counted;
                    }
                    if (slots != null) {
                        slots[slot] = plan.viewOffset[slot] == 0 ? Tensor.wrap(plan.values[slot].type(),
                                plan.values[slot].shape().toArray(), slots[root].array()) : slots[root];
                    }
                    continue;
                }
                if (held[slot] != null) {
                    continue; // an in-place Concat's output, allocated with its first view
                }
                int from = inPlaceSource(plan, step, slot, s, lastUse, held, viewed);
                if (from >= 0) {
                    held[slot] = new Buffer(held[from].storage, held[from].array, held[from].length, 0);
                    held[from] = null;
                    lastUse[from] = -2;
                    if (slots != null) {
                        slots[slot] = Tensor.wrap(plan.values[slot].type(), plan.values[slot].shape().toArray(),
                                held[slot].array);
                    }
                    continue;
                }
                held[slot] = place(plan, slot, slots, free, limits);
                bytes += held[slot].counted;
            }
            for (int input : step.inputs()) {
                // A view's last reader may be its Concat array's last use.
                int slot = input >= 0 && plan.viewOf[input] >= 0 ? plan.viewOf[input] : input;
                if (slot >= 0 && lastUse[slot] == s && isIntermediate(plan, slot) && held[slot] != null) {
                    release(free, held[slot]);
                    lastUse[slot] = -2;
                }
            }
            for (int slot : step.outputs()) {
                if (lastUse[slot] == -1 && held[slot] != null) {
                    release(free, held[slot]);
                }
            }
        }
        return bytes;
    }

    /**
     * The input slot whose array output {@code out} of {@code step} (run {@code s}-th) takes over, or -1: the step's
     * {@code inPlaceInput}, its output 0, an intermediate read last here and not part of an in-place Concat, of the
     * same storage and at least the output's size; the output is not a model output.
     * {@code -Dinfero.cpu.eltwiseInPlace=off} (read when a plan is allocated) turns this off.
     */
    private static int inPlaceSource(ExecutionPlan plan, ExecutionPlan.Entry step, int out, int s, int[] lastUse,
                                     Buffer[] held, boolean[] viewed) {
        int k = step.step().inPlaceInput();
        if (k < 0 || "off".equals(System.getProperty("infero.cpu.eltwiseInPlace")) || k >= step.inputs().length || step.outputs().length == 0 || step.outputs()[0] != out
                || lastUse[out] == Integer.MAX_VALUE || viewed[out]) {
            return -1;
        }
        int in = step.inputs()[k];
        if (in < 0 || lastUse[in] != s || held[in] == null || plan.viewOf[in] >= 0 || viewed[in]
                || !isIntermediate(plan, in)
                || plan.values[in].type().storage() != plan.values[out].type().storage()
                || held[in].length < Shapes.size(plan.values[out].shape().toArray())) {
            return -1;
        }
        return in;
    }

    /**
     * An array for {@code slot}'s value: a free one that is large enough, else a new one ({@code counted} bytes);
     * its tensor goes into {@code slots} (only counted when that is {@code null}).
     */
    private static Buffer place(ExecutionPlan plan, int slot, Tensor[] slots,
                                Map<ElementType.Storage, List<Buffer>> free, ResourceLimits limits) {
        ElementType type = plan.values[slot].type();
        int[] shape = plan.values[slot].shape().toArray();
        if (slots == null) {
            Value v = plan.values[slot];
            limits.checkTensor("tensor '" + v.displayName() + "' (output of " + v.node().type() + " '"
                    + v.node().name() + "')", type, shape);
        }
        int size = Shapes.size(shape);
        // A model output gets an array of its own size: what getOutput hands out is the whole array, as ONNX Runtime's
        // outputs are (a reused larger array would show a caller its stale tail).
        boolean output = false;
        for (int o : plan.outputSlots) {
            output |= o == slot;
        }
        Buffer buffer = output ? null : take(free.computeIfAbsent(type.storage(), k -> new ArrayList<>()), size);
        if (buffer == null) {
            Tensor t = slots == null ? null : Tensor.allocate(type, shape);
            buffer = new Buffer(type.storage(), t == null ? null : t.array(), size,
                    (long) size * type.bytes());
            if (slots != null) {
                slots[slot] = t;
            }
        } else {
            buffer = new Buffer(buffer.storage, buffer.array, buffer.length, 0);
            if (slots != null) {
                slots[slot] = Tensor.wrap(type, shape, buffer.array);
            }
        }
        return buffer;
    }

    /**
     * An array of the plan (or, when only counting, its size): what a later output may reuse; {@code counted} is
     * the bytes it added when it was made for the value holding it (0 when reused).
     */
    private record Buffer(ElementType.Storage storage, Object array, int length, long counted) {
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
