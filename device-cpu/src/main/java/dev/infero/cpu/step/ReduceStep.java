package dev.infero.cpu.step;

import dev.infero.core.graph.Node;
import dev.infero.core.graph.Value;
import dev.infero.core.ops.reduce.ReduceMax;
import dev.infero.core.ops.reduce.ReduceMean;
import dev.infero.core.ops.reduce.ReduceMin;
import dev.infero.core.ops.reduce.ReduceSum;
import dev.infero.core.ops.reduce.ReductionAxes;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.cpu.parallel.WorkerPool;
import java.util.function.IntConsumer;
import dev.infero.core.tensor.VectorLanes;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * f32 ReduceMean, ReduceSum, ReduceMax and ReduceMin over constant axes that are one block of consecutive dimensions
 * (ignoring dimensions of size 1), on static shapes: GlobalAveragePool and GlobalMaxPool (the spatial axes of NCHW),
 * a mean over channels, over the last axis. The input is {@code [outer, reduced, inner]}: with {@code inner == 1}
 * each output is one contiguous run folded in vector lanes; otherwise the reduced rows of {@code inner} values are
 * folded into the output row by row. The reference op folds with an operator chosen at run time, which the Vector
 * API cannot compile to machine code (GlobalAveragePool of 1000 × 13 × 13 took 0.4 ms).
 */
public final class ReduceStep implements Step<ReduceStep.Task> {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();

    private enum Fold { SUM, MEAN, MAX, MIN }

    private final Fold fold;
    private final int outer;
    private final int reduced;
    private final int inner;
    private final ExecType execType;

    private ReduceStep(Fold fold, int outer, int reduced, int inner, String name) {
        this.fold = fold;
        this.outer = outer;
        this.reduced = reduced;
        this.inner = inner;
        this.execType = ExecType.vector(name, "FP32");
    }

    /** The kernel for {@code node}, or {@code null} when it is not a reduction this kernel covers. */
    public static ReduceStep of(Node node) {
        Fold fold = switch (node.op()) {
            case ReduceMean m -> Fold.MEAN;
            case ReduceSum s -> Fold.SUM;
            case ReduceMax m -> Fold.MAX;
            case ReduceMin m -> Fold.MIN;
            default -> null;
        };
        if (fold == null || node.inputs().size() != 2 || node.outputs().size() != 1) {
            return null;
        }
        Value in = node.input(0);
        Tensor axes = node.input(1) == null ? null : node.input(1).knownValue();
        if (in.type() != ElementType.F32 || !in.shape().isStatic() || axes == null
                || !node.output(0).shape().isStatic()) {
            return null;
        }
        int[] shape = in.shape().toArray();
        boolean[] mask = ReductionAxes.mask(axes, shape.length);
        // The reduced axes (size-1 ones aside) must be consecutive: [first, last].
        int first = -1;
        int last = -1;
        for (int i = 0; i < shape.length; i++) {
            if (mask[i] && shape[i] != 1) {
                first = first < 0 ? i : first;
                last = i;
            }
        }
        for (int i = first + 1; first >= 0 && i < last; i++) {
            if (!mask[i] && shape[i] != 1) {
                return null;
            }
        }
        long outer = 1;
        long count = 1;
        long inner = 1;
        for (int i = 0; i < shape.length; i++) {
            if (first < 0 || i < first) {
                outer *= shape[i];
            } else if (i <= last) {
                count *= shape[i];
            } else {
                inner *= shape[i];
            }
        }
        if (outer * count * inner == 0 || outer * count * inner > Integer.MAX_VALUE) {
            return null;
        }
        return new ReduceStep(fold, (int) outer, (int) count, (int) inner, node.type().toLowerCase()
                .replace("reduce", "reduce_"));
    }

    @Override
    public ExecType execType() {
        return execType;
    }

    @Override
    public Task newScratch(int threads) {
        return new Task();
    }

    /** One call's arguments, and the body that reduces a share of the outer rows. */
    final class Task implements IntConsumer {
        float[] x;
        float[] z;
        int tasks;

        @Override
        public void accept(int t) {
            int per = (outer + tasks - 1) / tasks;
            for (int o = t * per; o < Math.min(outer, (t + 1) * per); o++) {
                if (inner == 1) {
                    z[o] = finish(foldRun(x, o * reduced));
                } else {
                    foldRows(x, o * reduced * inner, z, o * inner);
                }
            }
        }
    }

    @Override
    public void run(Tensor[] inputs, Tensor[] outputs, Task scratch, WorkerPool pool) {
        Task task = scratch;
        task.x = inputs[0].floats();
        task.z = outputs[0].floats();
        long values = (long) outer * reduced * inner;
        task.tasks = Math.min(pool.threadsFor(values, 4 * values), outer);
        pool.parallelFor(task.tasks, task);
        task.x = null;
        task.z = null;
    }

    private float finish(float v) {
        return fold == Fold.MEAN ? v / reduced : v;
    }

    /** The fold of {@code x[i, i + reduced)}. */
    private float foldRun(float[] x, int i) {
        int k = 0;
        float acc;
        if (fold == Fold.SUM || fold == Fold.MEAN) {
            acc = 0;
            if (reduced >= 2 * L) {
                // Two accumulators: the adds' latency, not the loads, would bound one.
                FloatVector a0 = FloatVector.zero(S);
                FloatVector a1 = FloatVector.zero(S);
                for (int bound = reduced - 2 * L; k <= bound; k += 2 * L) {
                    a0 = a0.add(FloatVector.fromArray(S, x, i + k));
                    a1 = a1.add(FloatVector.fromArray(S, x, i + k + L));
                }
                // Not reduceLanes(ADD): its order is unspecified and changes when C2 compiles the loop, so the same
                // input would give other bits later in a run. VectorLanes adds in one fixed order.
                acc = VectorLanes.sum(a0.add(a1));
            }
            for (; k < reduced; k++) {
                acc += x[i + k];
            }
        } else {
            boolean max = fold == Fold.MAX;
            acc = x[i];
            if (reduced >= L) {
                FloatVector a = FloatVector.fromArray(S, x, i);
                for (k = L; k <= reduced - L; k += L) {
                    FloatVector v = FloatVector.fromArray(S, x, i + k);
                    a = max ? a.max(v) : a.min(v);
                }
                acc = max ? VectorLanes.max(a) : VectorLanes.min(a);
            }
            for (; k < reduced; k++) {
                acc = max ? Math.max(acc, x[i + k]) : Math.min(acc, x[i + k]);
            }
        }
        return acc;
    }

    /** {@code z[o + j] = fold over r of x[i + r·inner + j]} for j in [0, inner). */
    private void foldRows(float[] x, int i, float[] z, int o) {
        if (inner % L == 0 && inner <= 4 * L) {
            // Rows of a few vectors (the channel-blocked layout's 16 lanes: a spatial mean over nChw16c): each
            // column vector is folded in registers down all rows, instead of a load and a store of z per row.
            for (int j = 0; j < inner; j += L) {
                foldColumn(x, i + j, z, o + j);
            }
            return;
        }
        System.arraycopy(x, i, z, o, inner);
        int bound = S.loopBound(inner);
        for (int r = 1; r < reduced; r++) {
            int row = i + r * inner;
            int j = 0;
            switch (fold) {
                case SUM, MEAN -> {
                    for (; j < bound; j += L) {
                        FloatVector.fromArray(S, z, o + j).add(FloatVector.fromArray(S, x, row + j)).intoArray(z, o + j);
                    }
                    for (; j < inner; j++) {
                        z[o + j] += x[row + j];
                    }
                }
                case MAX -> {
                    for (; j < bound; j += L) {
                        FloatVector.fromArray(S, z, o + j).max(FloatVector.fromArray(S, x, row + j)).intoArray(z, o + j);
                    }
                    for (; j < inner; j++) {
                        z[o + j] = Math.max(z[o + j], x[row + j]);
                    }
                }
                case MIN -> {
                    for (; j < bound; j += L) {
                        FloatVector.fromArray(S, z, o + j).min(FloatVector.fromArray(S, x, row + j)).intoArray(z, o + j);
                    }
                    for (; j < inner; j++) {
                        z[o + j] = Math.min(z[o + j], x[row + j]);
                    }
                }
            }
        }
        if (fold == Fold.MEAN) {
            for (int j = 0; j < inner; j++) {
                z[o + j] /= reduced;
            }
        }
    }

    /**
     * {@code z[o, o + L) = fold over r of x[i + r·inner, + L)}: even and odd rows in two registers (the adds'
     * latency, not the loads, would bound one), then added, in one fixed order.
     */
    private void foldColumn(float[] x, int i, float[] z, int o) {
        FloatVector a = FloatVector.fromArray(S, x, i);
        if (reduced == 1) {
            a.intoArray(z, o);
            return;
        }
        FloatVector b = FloatVector.fromArray(S, x, i + inner);
        int r = 2;
        switch (fold) {
            case SUM, MEAN -> {
                for (; r + 1 < reduced; r += 2) {
                    a = a.add(FloatVector.fromArray(S, x, i + r * inner));
                    b = b.add(FloatVector.fromArray(S, x, i + (r + 1) * inner));
                }
                if (r < reduced) {
                    a = a.add(FloatVector.fromArray(S, x, i + r * inner));
                }
                a = a.add(b);
                if (fold == Fold.MEAN) {
                    a = a.div(reduced);
                }
            }
            case MAX, MIN -> {
                boolean max = fold == Fold.MAX;
                for (; r + 1 < reduced; r += 2) {
                    FloatVector u = FloatVector.fromArray(S, x, i + r * inner);
                    FloatVector v = FloatVector.fromArray(S, x, i + (r + 1) * inner);
                    a = max ? a.max(u) : a.min(u);
                    b = max ? b.max(v) : b.min(v);
                }
                if (r < reduced) {
                    FloatVector u = FloatVector.fromArray(S, x, i + r * inner);
                    a = max ? a.max(u) : a.min(u);
                }
                a = max ? a.max(b) : a.min(b);
            }
        }
        a.intoArray(z, o);
    }
}
