package dev.infero.core.ops.misc;

import dev.infero.core.op.InferContext;
import dev.infero.core.op.Op;
import dev.infero.core.op.OpSpec;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.PartialShape;

/**
 * The determinants of the square matrices in the last two dimensions: {@code [..., M, M]} gives {@code [...]}.
 * Computed in double by Gaussian elimination with partial pivoting.
 *
 * <p>Infero-specific (version "infero"): OpenVINO has no determinant op (ONNX Det-11).
 */
public final class Determinant extends Op {
    public static final OpSpec<Determinant> SPEC = OpSpec.of(Determinant.class, "Determinant", "infero",
            a -> new Determinant());

    @Override
    public void infer(InferContext ctx) {
        PartialShape in = ctx.inputShape(0);
        if (!ctx.inputType(0).isFloating()) {
            throw ctx.error("input must be floating point, got " + ctx.inputType(0));
        }
        if (!in.hasRank()) {
            ctx.setOutput(0, ctx.inputType(0), PartialShape.unknownRank());
            return;
        }
        int rank = in.rank();
        if (rank < 2 || !in.isDynamic(rank - 1) && !in.isDynamic(rank - 2) && in.dim(rank - 1) != in.dim(rank - 2)) {
            throw ctx.error("input must be square matrices [..., M, M], got " + in);
        }
        int[] out = new int[rank - 2];
        for (int i = 0; i < out.length; i++) {
            out[i] = in.dim(i);
        }
        ctx.setOutput(0, ctx.inputType(0), PartialShape.of(out));
    }

    @Override
    public void evaluate(Tensor[] inputs, Tensor[] outputs) {
        Tensor in = inputs[0];
        Tensor out = outputs[0];
        int m = in.dim(in.rank() - 1);
        double[] a = new double[m * m];
        for (int b = 0; b < out.size(); b++) {
            for (int i = 0; i < m * m; i++) {
                a[i] = in.getDouble(b * m * m + i);
            }
            out.setDouble(b, determinant(a, m));
        }
    }

    /** The determinant of the row-major m×m matrix {@code a}, which it overwrites. */
    static double determinant(double[] a, int m) {
        double det = 1;
        for (int col = 0; col < m; col++) {
            int pivot = col;
            for (int r = col + 1; r < m; r++) {
                if (Math.abs(a[r * m + col]) > Math.abs(a[pivot * m + col])) {
                    pivot = r;
                }
            }
            if (a[pivot * m + col] == 0) {
                return 0;
            }
            if (pivot != col) {
                for (int c = 0; c < m; c++) {
                    double t = a[col * m + c];
                    a[col * m + c] = a[pivot * m + c];
                    a[pivot * m + c] = t;
                }
                det = -det;
            }
            double p = a[col * m + col];
            det *= p;
            for (int r = col + 1; r < m; r++) {
                double f = a[r * m + col] / p;
                for (int c = col; c < m; c++) {
                    a[r * m + c] -= f * a[col * m + c];
                }
            }
        }
        return det;
    }
}
