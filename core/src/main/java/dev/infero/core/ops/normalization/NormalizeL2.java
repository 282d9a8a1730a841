package dev.infero.core.ops.normalization;

import dev.infero.core.op.Attribute;
import dev.infero.core.op.InferContext;
import dev.infero.core.op.Op;
import dev.infero.core.op.OpSpec;
import dev.infero.core.ops.reduce.ReductionAxes;
import dev.infero.core.ops.reduce.ReductionLoop;
import dev.infero.core.tensor.Tensor;

/**
 * NormalizeL2-1: divides the data by the L2 norm over the axes of input 1, {@code x / sqrt(max(sum(x^2), eps))}
 * ({@code eps_mode="max"}) or {@code x / sqrt(sum(x^2) + eps)} ({@code eps_mode="add"}).
 */
public final class NormalizeL2 extends Op {
    private static final Attribute<NormalizeL2, Double> EPS = Attribute.number("eps", NormalizeL2::eps);
    private static final Attribute<NormalizeL2, String> EPS_MODE = Attribute.string("eps_mode",
            op -> op.addEps ? "add" : "max");
    public static final OpSpec<NormalizeL2> SPEC = OpSpec.of(NormalizeL2.class, "NormalizeL2", "opset1",
            a -> new NormalizeL2(EPS.read(a), EPS_MODE.read(a).equals("add")), EPS, EPS_MODE);

    private final double eps;
    private final boolean addEps;

    /** @param addEps {@code eps_mode="add"} when true, {@code "max"} otherwise */
    public NormalizeL2(double eps, boolean addEps) {
        this.eps = eps;
        this.addEps = addEps;
    }

    public double eps() {
        return eps;
    }

    /** Whether eps is added to the sum of squares ({@code eps_mode="add"}) rather than its lower bound. */
    public boolean addEps() {
        return addEps;
    }

    @Override
    public void infer(InferContext ctx) {
        ctx.requireFloating(0, "data");
        ReductionAxes.checkKnown(ctx, 1);
        ctx.setOutput(0, ctx.inputType(0), ctx.inputShape(0));
    }

    @Override
    public void evaluate(Tensor[] inputs, Tensor[] outputs) {
        Tensor in = inputs[0];
        Tensor out = outputs[0];
        ReductionLoop loop = new ReductionLoop(in.shape(), ReductionAxes.mask(inputs[1], in.rank()));
        double[] norm = new double[loop.outSize()];
        loop.forEachRow((i, o, step, len) -> {
            for (int k = 0; k < len; k++) {
                double v = in.getDouble(i + k);
                norm[o + k * step] += v * v;
            }
        });
        for (int g = 0; g < norm.length; g++) {
            norm[g] = Math.sqrt(addEps ? norm[g] + eps : Math.max(norm[g], eps));
        }
        loop.forEachRow((i, o, step, len) -> {
            for (int k = 0; k < len; k++) {
                out.setDouble(i + k, in.getDouble(i + k) / norm[o + k * step]);
            }
        });
    }
}
