package dev.infero.cpu.step;

import dev.infero.core.graph.Node;
import dev.infero.core.graph.Value;
import dev.infero.core.ops.quantization.FakeQuantize;
import dev.infero.core.tensor.ChannelValues;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.cpu.parallel.WorkerPool;
import java.util.function.IntConsumer;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * f32 FakeQuantize with constant ranges that are per tensor or per channel of an NCHW tensor (how INT8 models place
 * them on activations), vectorized. It evaluates the same f32 operations in the same order as the reference op —
 * {@code rint((x - il) / (ih - il) * steps) / steps * (oh - ol) + ol}, saturating outside the input range — so the
 * results are bit-identical; round-half-to-even is done by adding and subtracting 1.5·2^23, exact for the
 * [0, levels - 1] range it is applied to.
 */
public final class FakeQuantizeStep implements Step<FakeQuantizeStep.Task> {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final float ROUND = 12582912f;

    private final float steps;
    private final int planes;
    private final int channels;
    private final int planeSize;
    private final float[] il;
    private final float[] ih;
    private final float[] ol;
    private final float[] oh;

    FakeQuantizeStep(float steps, int planes, int channels, int planeSize, float[] il, float[] ih, float[] ol,
                       float[] oh) {
        this.steps = steps;
        this.planes = planes;
        this.channels = channels;
        this.planeSize = planeSize;
        this.il = il;
        this.ih = ih;
        this.ol = ol;
        this.oh = oh;
    }

    /** The kernel for {@code node}, or {@code null} when its data or ranges are not of the supported kinds. */
    public static FakeQuantizeStep of(Node node) {
        if (!(node.op() instanceof FakeQuantize op)) {
            return null;
        }
        Value x = node.input(0);
        if (x.type() != ElementType.F32 || !x.shape().isStatic() || !node.output(0).shape().equals(x.shape())) {
            return null;
        }
        int[] shape = x.shape().toArray();
        boolean nchw = shape.length == 4;
        int channels = nchw ? shape[1] : 1;
        int planeSize = nchw ? shape[2] * shape[3] : dev.infero.core.types.Shapes.size(shape);
        int planes = nchw ? shape[0] * shape[1] : 1;
        float[][] ranges = new float[4][];
        for (int i = 0; i < 4; i++) {
            ranges[i] = perChannel(node.input(i + 1), channels, shape.length);
            if (ranges[i] == null) {
                return null;
            }
        }
        long levels = op.levels();
        if (levels > 65536) {
            return null; // the rounding trick needs values below 2^22
        }
        return new FakeQuantizeStep(levels - 1, planes, channels, planeSize, ranges[0], ranges[1], ranges[2],
                ranges[3]);
    }

    /** A constant f32 range: one value, or one per channel (axis 1 of rank-4 data); as one value per channel. */
    private static float[] perChannel(Value v, int channels, int rank) {
        if (v == null || !v.isKnown() || v.type() != ElementType.F32) {
            return null;
        }
        return ChannelValues.of(v.knownValue(), channels, rank, 1);
    }

    @Override
    public ExecType execType() {
        return ExecType.vector("fake_quantize", "FP32");
    }

    /** The per-plane task, built once per request so runs allocate nothing. */
    static final class Task implements IntConsumer {
        float[] x;
        float[] z;
        int threads;
        FakeQuantizeStep k;

        @Override
        public void accept(int t) {
            for (int p = t; p < k.planes; p += threads) {
                k.plane(x, z, p);
            }
        }
    }

    @Override
    public Task newScratch(int threads) {
        Task task = new Task();
        task.k = this;
        return task;
    }

    @Override
    public void run(Tensor[] inputs, Tensor[] outputs, Task scratch, WorkerPool pool) {
        Task task = scratch;
        if (task == null) {
            task = newScratch(pool.threads());
        }
        task.x = inputs[0].floats();
        task.z = outputs[0].floats();
        long values = (long) planes * planeSize;
        // About ten operations and eight bytes of traffic per value.
        int threads = Math.min(pool.threadsFor(10 * values, 8 * values), planes);
        task.threads = threads;
        pool.parallelFor(threads, task);
    }

    void plane(float[] x, float[] z, int p) {
        int c = p % channels;
        float lo = il[c];
        float hi = ih[c];
        float outLo = ol[c];
        float outHi = oh[c];
        float min = Math.min(lo, hi);
        float max = Math.max(lo, hi);
        float span = hi - lo;
        float outSpan = outHi - outLo;
        int base = p * planeSize;
        FloatVector vLo = FloatVector.broadcast(S, lo);
        FloatVector vSpan = FloatVector.broadcast(S, span);
        FloatVector vSteps = FloatVector.broadcast(S, steps);
        FloatVector vOutSpan = FloatVector.broadcast(S, outSpan);
        FloatVector vOutLo = FloatVector.broadcast(S, outLo);
        FloatVector vOutHi = FloatVector.broadcast(S, outHi);
        int i = 0;
        for (int bound = S.loopBound(planeSize); i < bound; i += S.length()) {
            FloatVector v = FloatVector.fromArray(S, x, base + i);
            VectorMask<Float> below = v.compare(VectorOperators.LE, min);
            VectorMask<Float> above = v.compare(VectorOperators.GT, max);
            FloatVector q = v.sub(vLo).div(vSpan).mul(vSteps);
            q = q.add(ROUND).sub(ROUND);
            FloatVector r = q.div(vSteps).mul(vOutSpan).add(vOutLo);
            r.blend(vOutLo, below).blend(vOutHi, above).intoArray(z, base + i);
        }
        for (; i < planeSize; i++) {
            float v = x[base + i];
            z[base + i] = v <= min ? outLo : v > max ? outHi
                    : (float) Math.rint((v - lo) / span * steps) / steps * outSpan + outLo;
        }
    }
}
