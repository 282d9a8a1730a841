package dev.infero.core.ops.normalization;

import dev.infero.core.op.Attribute;
import dev.infero.core.op.InferContext;
import dev.infero.core.op.Op;
import dev.infero.core.op.OpSpec;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.PartialShape;
import dev.infero.core.types.Shapes;

/**
 * GroupNormalization-12: the channels (axis 1) of {@code data [N, C, ...]} are split into {@code num_groups} groups;
 * each (sample, group) is normalized by its own mean and biased variance, {@code (x - mean) / sqrt(var + epsilon)},
 * then scaled and shifted per channel by inputs 1 and 2 (both {@code [C]}).
 */
public final class GroupNormalization extends Op {
    private static final Attribute<GroupNormalization, Double> EPSILON = Attribute.number("epsilon",
            GroupNormalization::epsilon);
    private static final Attribute<GroupNormalization, Long> NUM_GROUPS = Attribute.integer("num_groups",
            GroupNormalization::numGroups);
    public static final OpSpec<GroupNormalization> SPEC = OpSpec.of(GroupNormalization.class, "GroupNormalization",
            "opset12", a -> new GroupNormalization(NUM_GROUPS.read(a), EPSILON.read(a)), EPSILON, NUM_GROUPS);

    private final long numGroups;
    private final double epsilon;

    public GroupNormalization(long numGroups, double epsilon) {
        this.numGroups = numGroups;
        this.epsilon = epsilon;
    }

    public long numGroups() {
        return numGroups;
    }

    public double epsilon() {
        return epsilon;
    }

    @Override
    public void infer(InferContext ctx) {
        ctx.requireFloating(0, "data");
        PartialShape in = ctx.inputShape(0);
        if (numGroups < 1) {
            throw ctx.error("num_groups must be positive, got " + numGroups);
        }
        if (in.hasRank()) {
            if (in.rank() < 2) {
                throw ctx.error("data must have a channel axis (rank >= 2), got " + in);
            }
            int c = in.dim(1);
            if (c != PartialShape.DYNAMIC && c % numGroups != 0) {
                throw ctx.error(c + " channels cannot be split into " + numGroups + " groups");
            }
            for (int i = 1; i <= 2; i++) {
                PartialShape s = ctx.inputShape(i);
                if (c != PartialShape.DYNAMIC && s.isStatic() && (s.rank() != 1 || s.dim(0) != c)) {
                    throw ctx.error((i == 1 ? "scale" : "bias") + " must be [" + c + "], got " + s);
                }
            }
        }
        ctx.setOutput(0, ctx.inputType(0), in);
    }

    @Override
    public void evaluate(Tensor[] inputs, Tensor[] outputs) {
        Tensor in = inputs[0];
        int[] shape = in.shape();
        int n = shape[0];
        int channels = shape[1];
        int perChannel = Shapes.product(shape, 2, shape.length);
        int groups = (int) numGroups;
        // Viewed as [N, G, C/G * spatial], the group statistics reduce the last axis.
        Tensor grouped = in.reshape(n, groups, channels / groups * perChannel);
        Moments m = new Moments(grouped, new boolean[] {false, false, true});
        double[] invStd = new double[m.mean.length];
        for (int g = 0; g < invStd.length; g++) {
            invStd[g] = 1 / Math.sqrt(m.variance[g] + epsilon);
        }
        Tensor out = outputs[0];
        m.normalize(invStd, out.reshape(grouped.shape()));
        Tensor scale = inputs[1];
        Tensor bias = inputs[2];
        for (int i = 0; i < out.size(); i++) {
            int c = i / perChannel % channels;
            out.setDouble(i, out.getDouble(i) * scale.getDouble(c) + bias.getDouble(c));
        }
    }
}
