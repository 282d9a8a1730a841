package dev.infero.core.ops.misc;

import dev.infero.core.op.Attribute;
import dev.infero.core.op.InferContext;
import dev.infero.core.op.Op;
import dev.infero.core.op.OpSpec;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.PartialShape;
import java.util.Locale;

/**
 * Linear attention with a recurrent state (ONNX LinearAttention; Infero's own op, version "infero"). Inputs: query
 * {@code [B, T, Hq·Dk]}, key {@code [B, T, Hkv·Dk]}, value {@code [B, T, Hkv·Dv]}, then decay if the rule is gated
 * (log gate; {@code [B, T, Hkv·Dk]}, or {@code [B, T, Hkv]} for one gate per head), then beta if it is a delta rule
 * (write strength; {@code [B, T, Hkv]} or {@code [B, T, 1]}), then optionally the past state {@code [B, Hkv, Dk, Dv]}
 * (zeros when absent; last, so that an absent one is a trailing absent input, as IR expresses). Per batch and key/value
 * head, for t = 0, 1, ... the state S ({@code Dk × Dv}) is updated by the update rule and read by each query head of
 * the head's group (query head h reads key/value head h / (Hq / Hkv)):
 * <ul>
 *   <li>{@code linear}: S += k vᵀ</li>
 *   <li>{@code gated}: S = exp(decay) ⊙ S (one gate per row of S) + k vᵀ</li>
 *   <li>{@code delta}: S += k (β (v − Sᵀk))ᵀ</li>
 *   <li>{@code gated_delta} (the default): S' = exp(decay) ⊙ S, then S = S' + k (β (v − S'ᵀk))ᵀ</li>
 * </ul>
 * Output 0 is {@code scale · qᵀ S} per query head ({@code [B, T, Hq·Dv]}), output 1 the final state; {@code scale}
 * defaults to 1/√Dk. Computed in f32, outputs of the query's type.
 */
public final class LinearAttention extends Op {
    private static final Attribute<LinearAttention, UpdateRule> UPDATE_RULE = Attribute.enumValue("update_rule",
            UpdateRule.class, LinearAttention::rule).orElse(UpdateRule.GATED_DELTA);
    private static final Attribute<LinearAttention, Long> Q_NUM_HEADS = Attribute.integer("q_num_heads",
            op -> (long) op.qHeads);
    private static final Attribute<LinearAttention, Long> KV_NUM_HEADS = Attribute.integer("kv_num_heads",
            op -> (long) op.kvHeads);
    /** Written only when given: absent, it is 1/√Dk. */
    private static final Attribute<LinearAttention, Double> SCALE = Attribute.number("scale",
            (LinearAttention op) -> (double) op.scale).orElse(Double.NaN)
            .writtenWhen(op -> !Float.isNaN(op.scale));
    public static final OpSpec<LinearAttention> SPEC = OpSpec.of(LinearAttention.class, "LinearAttention", "infero",
            a -> new LinearAttention(UPDATE_RULE.read(a), (int) (long) Q_NUM_HEADS.read(a),
                    (int) (long) KV_NUM_HEADS.read(a), (float) (double) SCALE.read(a)),
            UPDATE_RULE, Q_NUM_HEADS, KV_NUM_HEADS, SCALE);

    /** How the state is updated at each step. */
    public enum UpdateRule { LINEAR, GATED, DELTA, GATED_DELTA;

        boolean gated() {
            return this == GATED || this == GATED_DELTA;
        }

        boolean delta() {
            return this == DELTA || this == GATED_DELTA;
        }
    }

    private final UpdateRule rule;
    private final int qHeads;
    private final int kvHeads;
    private final float scale;

    /** {@code scale}: NaN for the default 1/√Dk. */
    public LinearAttention(UpdateRule rule, int qHeads, int kvHeads, float scale) {
        this.rule = rule;
        this.qHeads = qHeads;
        this.kvHeads = kvHeads;
        this.scale = scale;
    }

    public UpdateRule rule() {
        return rule;
    }

    /** Input index of decay (gated rules). */
    public int decayInput() {
        return 3;
    }

    /** Input index of beta (delta rules). */
    public int betaInput() {
        return rule.gated() ? 4 : 3;
    }

    /** Input index of the optional past state, after decay and beta. */
    public int pastInput() {
        return 3 + (rule.gated() ? 1 : 0) + (rule.delta() ? 1 : 0);
    }

    @Override
    public void infer(InferContext ctx) {
        if (qHeads <= 0 || kvHeads <= 0 || qHeads % kvHeads != 0) {
            throw ctx.error("q_num_heads " + qHeads + " must be a positive multiple of kv_num_heads " + kvHeads);
        }
        for (int i = 0; i < 3; i++) {
            if (!ctx.hasInput(i)) {
                throw ctx.error("input " + i + " (query, key, value) is required");
            }
            if (ctx.inputShape(i).hasRank() && ctx.inputShape(i).rank() != 3) {
                throw ctx.error("input " + i + " must be 3-D [batch, time, heads·size], got " + ctx.inputShape(i));
            }
        }
        if (rule.gated() && !ctx.hasInput(decayInput())) {
            throw ctx.error("update rule " + rule.name().toLowerCase(Locale.ROOT) + " needs the decay input ("
                    + decayInput() + ")");
        }
        if (rule.delta() && !ctx.hasInput(betaInput())) {
            throw ctx.error("update rule " + rule.name().toLowerCase(Locale.ROOT) + " needs the beta input ("
                    + betaInput() + ")");
        }
        PartialShape q = ctx.inputShape(0);
        PartialShape v = ctx.inputShape(2);
        int batch = q.hasRank() ? q.dim(0) : PartialShape.DYNAMIC;
        int time = q.hasRank() ? q.dim(1) : PartialShape.DYNAMIC;
        int dk = q.hasRank() && !q.isDynamic(2) ? q.dim(2) / qHeads : PartialShape.DYNAMIC;
        int dv = v.hasRank() && !v.isDynamic(2) ? v.dim(2) / kvHeads : PartialShape.DYNAMIC;
        if (q.hasRank() && !q.isDynamic(2) && q.dim(2) % qHeads != 0
                || v.hasRank() && !v.isDynamic(2) && v.dim(2) % kvHeads != 0) {
            throw ctx.error("query " + q + " and value " + v + " must split into " + qHeads + " and " + kvHeads
                    + " heads");
        }
        ctx.setOutput(0, ctx.inputType(0), PartialShape.of(batch, time,
                dv < 0 ? PartialShape.DYNAMIC : dv * qHeads));
        ctx.setOutput(1, ctx.inputType(0), PartialShape.of(batch, kvHeads, dk, dv));
    }

    @Override
    public void evaluate(Tensor[] inputs, Tensor[] outputs) {
        Tensor q = inputs[0];
        Tensor k = inputs[1];
        Tensor v = inputs[2];
        Tensor decay = rule.gated() ? inputs[decayInput()] : null;
        Tensor beta = rule.delta() ? inputs[betaInput()] : null;
        Tensor past = inputs.length > pastInput() ? inputs[pastInput()] : null;
        int b = q.dim(0);
        int t = q.dim(1);
        int dk = q.dim(2) / qHeads;
        int dv = v.dim(2) / kvHeads;
        int group = qHeads / kvHeads;
        if (k.dim(2) != kvHeads * dk || k.dim(0) != b || v.dim(0) != b || k.dim(1) != t || v.dim(1) != t) {
            throw new dev.infero.core.InferoException("LinearAttention: key " + java.util.Arrays.toString(k.shape())
                    + " and value " + java.util.Arrays.toString(v.shape()) + " do not fit query "
                    + java.util.Arrays.toString(q.shape()) + " with " + qHeads + "/" + kvHeads + " heads");
        }
        int decayWidth = decay == null ? 0 : decay.dim(2);
        boolean perHeadDecay = decayWidth == kvHeads && dk != 1;
        if (decay != null && decayWidth != kvHeads * dk && decayWidth != kvHeads) {
            throw new dev.infero.core.InferoException("LinearAttention: decay's last dimension " + decayWidth
                    + " must be " + kvHeads * dk + " or " + kvHeads);
        }
        int betaWidth = beta == null ? 0 : beta.size() / (b * t);
        if (beta != null && betaWidth != kvHeads && betaWidth != 1) {
            throw new dev.infero.core.InferoException("LinearAttention: beta's last dimension " + betaWidth
                    + " must be " + kvHeads + " or 1");
        }
        float s = Float.isNaN(scale) ? (float) (1 / Math.sqrt(dk)) : scale;
        float[] state = new float[b * kvHeads * dk * dv];
        if (past != null) {
            for (int i = 0; i < state.length; i++) {
                state[i] = (float) past.getDouble(i);
            }
        }
        float[] kt = new float[dk];
        float[] vt = new float[dv];
        float[] delta = new float[dv];
        for (int step = 0; step < t; step++) {
            for (int n = 0; n < b; n++) {
                int row = n * t + step;
                for (int h = 0; h < kvHeads; h++) {
                    int base = (n * kvHeads + h) * dk * dv;
                    for (int i = 0; i < dk; i++) {
                        kt[i] = (float) k.getDouble(row * kvHeads * dk + h * dk + i);
                    }
                    for (int j = 0; j < dv; j++) {
                        vt[j] = (float) v.getDouble(row * kvHeads * dv + h * dv + j);
                    }
                    if (rule.gated()) {
                        for (int i = 0; i < dk; i++) {
                            float g = (float) Math.exp(decay.getDouble(perHeadDecay ? row * kvHeads + h
                                    : row * decayWidth + (decayWidth == kvHeads ? h : h * dk + i)));
                            for (int j = 0; j < dv; j++) {
                                state[base + i * dv + j] *= g;
                            }
                        }
                    }
                    if (rule.delta()) {
                        float bt = (float) beta.getDouble(row * betaWidth + (betaWidth == 1 ? 0 : h));
                        for (int j = 0; j < dv; j++) {
                            float read = 0;
                            for (int i = 0; i < dk; i++) {
                                read += state[base + i * dv + j] * kt[i];
                            }
                            delta[j] = bt * (vt[j] - read);
                        }
                    } else {
                        System.arraycopy(vt, 0, delta, 0, dv);
                    }
                    for (int i = 0; i < dk; i++) {
                        for (int j = 0; j < dv; j++) {
                            state[base + i * dv + j] += kt[i] * delta[j];
                        }
                    }
                    for (int g = 0; g < group; g++) {
                        int hq = h * group + g;
                        for (int j = 0; j < dv; j++) {
                            float acc = 0;
                            for (int i = 0; i < dk; i++) {
                                acc += (float) q.getDouble(row * qHeads * dk + hq * dk + i) * state[base + i * dv + j];
                            }
                            outputs[0].setDouble(row * qHeads * dv + hq * dv + j, s * acc);
                        }
                    }
                }
            }
        }
        for (int i = 0; i < state.length; i++) {
            outputs[1].setDouble(i, state[i]);
        }
    }

    @Override
    public long flops(dev.infero.core.graph.Node node) {
        PartialShape q = node.input(0).shape();
        PartialShape v = node.input(2).shape();
        if (!q.isStatic() || !v.isStatic()) {
            return 0;
        }
        long dk = q.dim(2) / qHeads;
        long dv = v.dim(2) / kvHeads;
        return (long) q.dim(0) * q.dim(1) * (kvHeads * dk * dv * 6L + qHeads * dk * dv * 2L);
    }
}
