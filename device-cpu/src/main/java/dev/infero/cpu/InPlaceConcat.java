package dev.infero.cpu;

import dev.infero.core.graph.Value;
import dev.infero.core.ops.movement.Concat;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.Shapes;
import dev.infero.cpu.step.CopyStep;
import dev.infero.cpu.step.SiblingConvolutionStep;
import dev.infero.cpu.step.Step;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Concat without copies, as OpenVINO's CPU plugin places it: where a Concat's output is one block per input (every
 * axis before the concat axis of size 1, e.g. NCHW channels at batch 1), an input's producer writes straight into its
 * block of the Concat's output, and the Concat copies only the inputs left over ({@code concat_inplace} when none is).
 * The decision is made once per plan; {@link MemoryPlan} then gives each such input (a <em>view</em>) the Concat
 * output's array instead of an array of its own.
 *
 * <p>An input is placed in the output when it is computed by a step of the plan (not a model input or constant), is
 * not a model output (a Result keeps its own data), appears once in this Concat and in no other one's output, and its
 * producer is not itself a Concat with inputs in place. At offset 0 (the first input) the producer runs unchanged:
 * its output is the array's first block, as with any reused, longer buffer, so the input may have other readers too,
 * and the memory plan keeps the Concat's array alive until the last of them. At a later offset the producer must
 * write there ({@link Step#writingAt}) and the Concat must be the input's only reader (the array holds it at an
 * offset no other step knows). Such a producer may read the input at offset 0 (SPP: the poolings of the Concat's
 * first input): it reads and writes disjoint ranges of one array, which these kernels allow (each writes only its
 * own block, and reads only its input). Producers that write at an offset: convolutions without a residual (1×1,
 * im2col, shifted and channel-lane tiles, the direct kernel for few input channels; INT8 convolutions on every
 * strategy, also when they write the codes of the FakeQuantize after the Concat), depthwise convolutions and pooling
 * on the window kernel, and copies (slices, reshapes, Concats without inputs in place). Off with
 * {@code -Dinfero.cpu.concatInPlace=off}.
 */
final class InPlaceConcat {
    /** The steps with producers and Concats replaced, and per slot the Concat output it is a view of (or -1). */
    record Placement(List<ExecutionPlan.Entry> steps, int[] viewOf, int[] viewOffset) {
    }

    private InPlaceConcat() {
    }

    static boolean enabled() {
        return !"off".equals(System.getProperty("infero.cpu.concatInPlace", "on"));
    }

    static Placement place(List<ExecutionPlan.Entry> steps, Tensor[] constants,
                           Value[] values, int[] inputSlots, int[] outputSlots) {
        int n = values.length;
        int[] viewOf = new int[n];
        int[] viewOffset = new int[n];
        Arrays.fill(viewOf, -1);
        if (!enabled()) {
            return new Placement(steps, viewOf, viewOffset);
        }
        int[] producer = new int[n];
        int[] readers = new int[n];
        Arrays.fill(producer, -1);
        for (int s = 0; s < steps.size(); s++) {
            for (int slot : steps.get(s).outputs()) {
                producer[slot] = s;
            }
            for (int slot : steps.get(s).inputs()) {
                if (slot >= 0) {
                    readers[slot]++;
                }
            }
        }
        boolean[] fixed = new boolean[n];
        for (int slot : inputSlots) {
            fixed[slot] = true;
        }
        for (int slot : outputSlots) {
            fixed[slot] = true;
        }
        List<ExecutionPlan.Entry> out = new ArrayList<>(steps);
        boolean[] hosts = new boolean[steps.size()];
        for (int c = 0; c < out.size(); c++) {
            ExecutionPlan.Entry e = out.get(c);
            if (!(e.node().op() instanceof Concat concat) || !e.fused().isEmpty()
                    || !(e.step() instanceof CopyStep copy) || !copy.isConcat() || e.outputs().length != 1) {
                continue;
            }
            int o = e.outputs()[0];
            int[] os = values[o].shape().toArray();
            int axis = Shapes.normalizeAxis(concat.axis(), os.length);
            if (Shapes.product(os, 0, axis) != 1) {
                continue;
            }
            int[] inputs = e.inputs();
            boolean[] inPlace = new boolean[inputs.length];
            boolean any = false;
            int offset = 0;
            for (int i = 0; i < inputs.length; i++) {
                int x = inputs[i];
                int size = Shapes.size(values[x].shape().toArray());
                int p = producer[x];
                boolean candidate = p >= 0 && p < c && constants[x] == null && !fixed[x] && viewOf[x] < 0
                        && !hosts[p] && values[x].type() == values[o].type() && occurrences(inputs, x) == 1
                        && size > 0;
                int placed = candidate ? placeSiblings(out, p, inputs, i, offset, values, constants, fixed, viewOf,
                        readers, o) : 0;
                if (placed > 0) {
                    for (int j = i; j < i + placed; j++) {
                        inPlace[j] = true;
                        viewOf[inputs[j]] = o;
                        viewOffset[inputs[j]] = offset;
                        offset += Shapes.size(values[inputs[j]].shape().toArray());
                    }
                    any = true;
                    i += placed - 1;
                    continue;
                }
                if (candidate && offset == 0) {
                    inPlace[i] = true;
                } else if (candidate && readers[x] == 1) {
                    Step<?> shifted = out.get(p).step().writingAt(offset);
                    if (shifted != null) {
                        ExecutionPlan.Entry pe = out.get(p);
                        out.set(p, new ExecutionPlan.Entry(pe.node(), pe.fused(), shifted, pe.inputs(), pe.outputs()));
                        inPlace[i] = true;
                    }
                }
                if (inPlace[i]) {
                    viewOf[x] = o;
                    viewOffset[x] = offset;
                    any = true;
                }
                offset += size;
            }
            if (any) {
                out.set(c, new ExecutionPlan.Entry(e.node(), e.fused(), copy.withInPlace(inPlace), inputs,
                        e.outputs()));
                hosts[c] = true;
            }
        }
        return new Placement(List.copyOf(out), viewOf, viewOffset);
    }

    /**
     * Where the step {@code p} runs sibling convolutions ({@link SiblingConvolutionStep}) whose outputs are, in order,
     * the Concat's inputs from {@code i} on, each a candidate read by the Concat only, the step is replaced by one
     * writing its stacked output straight at {@code offset} of the Concat's array; returns how many inputs it placed
     * (its outputs), or 0 when it does not apply. Otherwise such a step's outputs are placed only at offset 0, where
     * it copies its first block as it would to a buffer of its own.
     */
    private static int placeSiblings(List<ExecutionPlan.Entry> out, int p, int[] inputs, int i, int offset,
                                     Value[] values, Tensor[] constants, boolean[] fixed, int[] viewOf, int[] readers,
                                     int o) {
        ExecutionPlan.Entry pe = out.get(p);
        if (!(pe.step() instanceof SiblingConvolutionStep sib)) {
            return 0;
        }
        int[] outs = pe.outputs();
        if (i + outs.length > inputs.length) {
            return 0;
        }
        for (int j = 0; j < outs.length; j++) {
            int x = inputs[i + j];
            if (x != outs[j] || constants[x] != null || fixed[x] || viewOf[x] >= 0 || readers[x] != 1
                    || values[x].type() != values[o].type() || occurrences(inputs, x) != 1) {
                return 0;
            }
        }
        SiblingConvolutionStep shifted = sib.writingAllAt(offset);
        if (shifted == null) {
            return 0;
        }
        out.set(p, new ExecutionPlan.Entry(pe.node(), pe.fused(), shifted, pe.inputs(), pe.outputs()));
        return outs.length;
    }

    private static int occurrences(int[] slots, int x) {
        int k = 0;
        for (int s : slots) {
            k += s == x ? 1 : 0;
        }
        return k;
    }

}
