package dev.infero.core.ops.nn;

import dev.infero.core.graph.Node;
import dev.infero.core.op.Attribute;
import dev.infero.core.op.InferContext;
import dev.infero.core.op.Op;
import dev.infero.core.op.OpSpec;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.core.types.PartialShape;
import dev.infero.core.types.Shapes;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * MatMul-1 with numpy semantics: the last two dimensions are multiplied (optionally transposed first), the leading
 * ones broadcast as batch; a 1-D operand is a row (A) or a column (B) whose unit dimension is dropped afterwards.
 * Floating types accumulate in f32; integer types exactly, wrapping to the output type like C (quantized models).
 */
public final class MatMul extends Op {
    private static final Attribute<MatMul, Boolean> TRANSPOSE_A = Attribute.bool("transpose_a",
            (MatMul op) -> op.transposeA).orElse(false);
    private static final Attribute<MatMul, Boolean> TRANSPOSE_B = Attribute.bool("transpose_b",
            (MatMul op) -> op.transposeB).orElse(false);
    public static final OpSpec<MatMul> SPEC = OpSpec.of(MatMul.class, "MatMul", "opset1",
            a -> new MatMul(TRANSPOSE_A.read(a), TRANSPOSE_B.read(a)), TRANSPOSE_A, TRANSPOSE_B);

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    private final boolean transposeA;
    private final boolean transposeB;

    public MatMul(boolean transposeA, boolean transposeB) {
        this.transposeA = transposeA;
        this.transposeB = transposeB;
    }

    public boolean transposeA() {
        return transposeA;
    }

    public boolean transposeB() {
        return transposeB;
    }

    /** The operands as matrices: [batch..., rows, cols] after the 1-D promotion and transposition. */
    private record Operands(int[] a, int[] b, int[] out) {
    }

    private Operands operands(int[] a, int[] b, InferContext ctx) {
        int[] a2 = a.length == 1 ? new int[] {1, a[0]} : a.clone();
        int[] b2 = b.length == 1 ? new int[] {b[0], 1} : b.clone();
        if (transposeA && a.length > 1) {
            swapLast(a2);
        }
        if (transposeB && b.length > 1) {
            swapLast(b2);
        }
        int k = a2[a2.length - 1];
        if (k != PartialShape.DYNAMIC && b2[b2.length - 2] != PartialShape.DYNAMIC && k != b2[b2.length - 2]) {
            throw ctx.error("inner dimensions differ: " + Arrays.toString(a) + " x " + Arrays.toString(b)
                    + (transposeA || transposeB ? " (transpose_a=" + transposeA + ", transpose_b=" + transposeB + ")" : ""));
        }
        PartialShape batch = Shapes.broadcast(PartialShape.of(Arrays.copyOf(a2, a2.length - 2)),
                PartialShape.of(Arrays.copyOf(b2, b2.length - 2)));
        int[] out = Arrays.copyOf(batch.dimsOrDynamic(), batch.rank() + 2);
        out[batch.rank()] = a2[a2.length - 2];
        out[batch.rank() + 1] = b2[b2.length - 1];
        int[] result = out;
        if (a.length == 1) {
            result = remove(result, result.length - 2);
        }
        if (b.length == 1) {
            result = remove(result, result.length - 1);
        }
        return new Operands(a2, b2, result);
    }

    @Override
    public void infer(InferContext ctx) {
        if (ctx.inputType(0) != ctx.inputType(1)) {
            throw ctx.error("operand types differ: " + ctx.inputType(0) + " and " + ctx.inputType(1));
        }
        PartialShape a = ctx.inputShape(0);
        PartialShape b = ctx.inputShape(1);
        if (!a.hasRank() || !b.hasRank()) {
            ctx.setOutput(0, ctx.inputType(0), PartialShape.unknownRank());
            return;
        }
        if (a.rank() == 0 || b.rank() == 0) {
            throw ctx.error("operands must not be scalars");
        }
        ctx.setOutput(0, ctx.inputType(0), PartialShape.of(operands(a.dimsOrDynamic(), b.dimsOrDynamic(), ctx).out()));
    }

    @Override
    public long flops(Node node) {
        if (!node.input(0).shape().isStatic() || !node.output(0).shape().isStatic()) {
            return 0;
        }
        int[] a = node.input(0).shape().toArray();
        int k = transposeA && a.length > 1 ? a[a.length - 2] : a[a.length - 1];
        long outputs = 1;
        for (int d : node.output(0).shape().toArray()) {
            outputs *= d;
        }
        return 2 * outputs * k;
    }

    @Override
    public void evaluate(Tensor[] inputs, Tensor[] outputs) {
        Tensor a = inputs[0];
        Tensor b = inputs[1];
        Tensor y = outputs[0];
        Operands ops = operands(a.shape(), b.shape(), null);
        int[] as = ops.a();
        int[] bs = ops.b();
        int m = as[as.length - 2];
        int k = as[as.length - 1];
        int n = bs[bs.length - 1];
        boolean exact = !y.type().isFloating();
        float[] af = exact ? null : matrices(a, transposeA && a.rank() > 1);
        float[] bf = exact ? null : matrices(b, transposeB && b.rank() > 1);
        long[] al = exact ? a.toLongArray() : null;
        long[] bl = exact ? b.toLongArray() : null;
        int[] aBatch = Arrays.copyOf(as, as.length - 2);
        int[] bBatch = Arrays.copyOf(bs, bs.length - 2);
        int[] batch = Shapes.broadcast(aBatch, bBatch);
        int batches = Shapes.size(batch);
        int[] aStrides = Shapes.broadcastStrides(aBatch, batch);
        int[] bStrides = Shapes.broadcastStrides(bBatch, batch);
        float[] c = new float[m * n];
        int[] idx = new int[batch.length];
        for (int bi = 0; bi < batches; bi++) {
            int aOff = 0;
            int bOff = 0;
            for (int d = 0; d < batch.length; d++) {
                aOff += idx[d] * aStrides[d];
                bOff += idx[d] * bStrides[d];
            }
            if (exact) {
                multiplyExact(al, aOff * m * k, transposeA && a.rank() > 1, bl, bOff * k * n,
                        transposeB && b.rank() > 1, y, bi * m * n, m, n, k);
            } else {
                multiply(af, aOff * m * k, bf, bOff * k * n, c, m, n, k);
                for (int i = 0; i < m * n; i++) {
                    y.setDouble(bi * m * n + i, c[i]);
                }
            }
            for (int d = batch.length - 1; d >= 0 && ++idx[d] == batch[d]; d--) {
                idx[d] = 0;
            }
        }
    }

    /** C[m×n] = A[m×k]·B[k×n], each row of C accumulated as a vectorized sum of scaled rows of B. */
    private static void multiply(float[] a, int aOff, float[] b, int bOff, float[] c, int m, int n, int k) {
        Arrays.fill(c, 0, m * n, 0f);
        for (int i = 0; i < m; i++) {
            int row = i * n;
            for (int p = 0; p < k; p++) {
                float av = a[aOff + i * k + p];
                int bRow = bOff + p * n;
                FloatVector va = FloatVector.broadcast(S, av);
                int j = 0;
                for (int bound = S.loopBound(n); j < bound; j += S.length()) {
                    va.fma(FloatVector.fromArray(S, b, bRow + j), FloatVector.fromArray(S, c, row + j))
                            .intoArray(c, row + j);
                }
                for (; j < n; j++) {
                    c[row + j] += av * b[bRow + j];
                }
            }
        }
    }

    /**
     * Integer matrices, exactly: C[m×n] = A[m×k]·B[k×n] accumulated in long and stored with the output type's
     * wrap-around (as C integer arithmetic), reading transposed operands in place.
     */
    private static void multiplyExact(long[] a, int aOff, boolean ta, long[] b, int bOff, boolean tb, Tensor c,
            int cOff, int m, int n, int k) {
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                long sum = 0;
                for (int p = 0; p < k; p++) {
                    sum += a[aOff + (ta ? p * m + i : i * k + p)] * b[bOff + (tb ? j * k + p : p * n + j)];
                }
                c.setLong(cOff + i * n + j, sum);
            }
        }
    }

    /** The tensor's elements as floats, with the last two dimensions swapped when {@code transpose}. */
    private static float[] matrices(Tensor t, boolean transpose) {
        float[] f = t.type() == ElementType.F32 ? t.floats() : t.toFloatArray();
        if (!transpose) {
            return f;
        }
        int[] s = t.shape();
        int rows = s[s.length - 2];
        int cols = s[s.length - 1];
        int count = t.size() / Math.max(rows * cols, 1);
        float[] out = new float[t.size()];
        for (int b = 0; b < count; b++) {
            int base = b * rows * cols;
            for (int r = 0; r < rows; r++) {
                for (int c = 0; c < cols; c++) {
                    out[base + c * rows + r] = f[base + r * cols + c];
                }
            }
        }
        return out;
    }

    private static void swapLast(int[] s) {
        int t = s[s.length - 1];
        s[s.length - 1] = s[s.length - 2];
        s[s.length - 2] = t;
    }

    private static int[] remove(int[] s, int axis) {
        int[] out = new int[s.length - 1];
        for (int i = 0, j = 0; i < s.length; i++) {
            if (i != axis) {
                out[j++] = s[i];
            }
        }
        return out;
    }
}
