package dev.infero.cpu.fusion;

import dev.infero.core.graph.Node;
import dev.infero.core.graph.Value;
import dev.infero.core.ops.eltwise.Add;
import dev.infero.core.ops.nn.MatMul;
import dev.infero.core.tensor.ChannelValues;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.cpu.kernels.PostOps;
import dev.infero.cpu.step.MatMulStep;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Finds an f32 MatMul of a 2-D activation {@code X[M, K]} (not transposed) by constant 2-D weights (transposed or
 * not; ONNX Gemm and fully connected layers), followed by an Add of a constant bias of one value per output column
 * and one activation (PReLU with one slope per output column too), each the only reader of the value before it and
 * not a model output. After an INT8 model's
 * FakeQuantize with INT8 weights it runs on the codes (see {@link QuantizedMatMul}).
 */
final class MatMulFusion {
    private MatMulFusion() {
    }

    static Fused match(Node mm, Set<Node> taken) {
        if (!(mm.op() instanceof MatMul op) || op.transposeA()) {
            return null;
        }
        Value x = mm.input(0);
        Value b = mm.input(1);
        Value out = mm.output(0);
        if (x.type() != ElementType.F32 || !x.shape().isStatic() || x.shape().rank() != 2 || !b.isKnown()
                || b.knownValue().type() != ElementType.F32 || b.knownValue().rank() != 2
                || !out.shape().isStatic() || out.shape().rank() != 2) {
            return null;
        }
        int rows = x.shape().dim(0);
        int depth = x.shape().dim(1);
        int[] bs = b.knownValue().shape();
        int columns = op.transposeB() ? bs[0] : bs[1];
        List<Node> nodes = new ArrayList<>(List.of(mm));
        float[] bias = null;
        PostOpPatterns.Ending ending = new PostOpPatterns.Ending();
        Value current = out;
        while (!ending.found()) {
            Node next = current.soleConsumer();
            if (next == null || taken.contains(next)) {
                break;
            }
            if (next.op() instanceof Add && bias == null) {
                Value other = next.input(0) == current ? next.input(1) : next.input(0);
                bias = other.isKnown() && next.output(0).shape().equals(current.shape())
                        ? ChannelValues.of(other.knownValue(), columns, 2, 1) : null;
                if (bias == null) {
                    break;
                }
            } else if (!ending.take(next, columns, 2)) {
                break;
            }
            nodes.add(next);
            current = next.output(0);
        }
        PostOps post = ending.postOps(bias, false);
        Int8Plan int8 = QuantizedMatMul.plan(mm, op.transposeB(), rows, depth, columns, post);
        if (int8 != null) {
            return new Fused(nodes, int8.step(), List.of(int8.source()), current, int8.fakeQuantize());
        }
        float[] weights = rowMajorWeights(b.knownValue(), op.transposeB(), depth, columns);
        return new Fused(nodes, new MatMulStep(rows, depth, columns, weights, post), List.of(x), current);
    }

    /** The weights as {@code W[N, K]}, row n holding what output column n reads. */
    private static float[] rowMajorWeights(Tensor b, boolean transposed, int k, int n) {
        float[] src = b.floats();
        if (transposed) {
            return java.util.Arrays.copyOf(src, n * k);
        }
        float[] w = new float[n * k];
        for (int p = 0; p < k; p++) {
            for (int j = 0; j < n; j++) {
                w[j * k + p] = src[p * n + j];
            }
        }
        return w;
    }

}
