package dev.infero.onnx.ops;

import dev.infero.core.UnsupportedModelException;
import dev.infero.core.graph.Value;
import dev.infero.core.ops.activation.Sigmoid;
import dev.infero.core.ops.eltwise.Add;
import dev.infero.core.ops.eltwise.Convert;
import dev.infero.core.ops.eltwise.Divide;
import dev.infero.core.ops.eltwise.Multiply;
import dev.infero.core.ops.eltwise.Select;
import dev.infero.core.ops.eltwise.Sqrt;
import dev.infero.core.ops.eltwise.Subtract;
import dev.infero.core.ops.eltwise.Tanh;
import dev.infero.core.ops.logical.Equal;
import dev.infero.core.ops.logical.Less;
import dev.infero.core.ops.movement.Broadcast;
import dev.infero.core.ops.movement.Concat;
import dev.infero.core.ops.movement.Gather;
import dev.infero.core.ops.movement.Pad;
import dev.infero.core.ops.movement.Range;
import dev.infero.core.ops.movement.Reshape;
import dev.infero.core.ops.movement.ShapeOf;
import dev.infero.core.ops.movement.Transpose;
import dev.infero.core.ops.movement.Unsqueeze;
import dev.infero.core.ops.nn.MatMul;
import dev.infero.core.ops.normalization.Softmax;
import dev.infero.core.ops.reduce.ReduceMax;
import dev.infero.core.ops.reduce.ReduceMean;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.core.types.PartialShape;
import dev.infero.onnx.OnnxNode;
import dev.infero.onnx.OnnxTranslator;
import dev.infero.onnx.TensorProtos;
import java.util.List;
import java.util.Map;

/**
 * The transformer building blocks of opsets 23/24: Attention, RMSNormalization, Swish and SwiGLU, each decomposed
 * exactly as its ONNX function body (OpenVINO's ScaledDotProductAttention lacks softcap, the qk_matmul_output
 * modes and the zeroing of fully masked rows).
 */
public final class AttentionOps {
    private static final long[] HEADS_FIRST = {0, 2, 1, 3};

    private AttentionOps() {
    }

    public static void register(Map<String, OnnxTranslator> r) {
        r.put("Attention", AttentionOps::attention);
        r.put("RMSNormalization", AttentionOps::rmsNormalization);
        r.put("Swish", n -> List.of(swish(n, n.requireInput(0), n.attrFloat("alpha", 1f))));
        r.put("SwiGLU", n -> List.of(n.add(new Multiply(), swish(n, n.requireInput(0), n.attrFloat("alpha", 1f)),
                n.requireInput(1))));
    }

    /** {@code x * sigmoid(alpha * x)}. */
    private static Value swish(OnnxNode n, Value x, float alpha) {
        Value scaled = alpha == 1f ? x : n.add(new Multiply(), x, scalar(n, alpha, x.type()));
        return n.add(new Multiply(), x, n.add(new Sigmoid(), scaled));
    }

    /**
     * {@code X / sqrt(mean(X², axes) + epsilon) * scale}, the mean over {@code axis} and every later axis, computed
     * in {@code stash_type} (default f32) and converted back before the scale.
     */
    private static List<Value> rmsNormalization(OnnxNode n) {
        Value x = n.requireInput(0);
        if (!x.shape().hasRank()) {
            throw new UnsupportedModelException("RMSNormalization node '" + n.name() + "' needs an input of known rank");
        }
        int rank = x.shape().rank();
        long axis = n.attrInt("axis", -1);
        if (axis < -rank || axis >= rank) {
            throw n.error("axis " + axis + " is out of range for rank " + rank);
        }
        long first = axis < 0 ? axis + rank : axis;
        long[] axes = new long[(int) (rank - first)];
        for (int i = 0; i < axes.length; i++) {
            axes[i] = first + i;
        }
        ElementType stash = TensorProtos.elementType((int) n.attrInt("stash_type", 1), "RMSNormalization stash_type");
        Value xs = convert(n, x, stash);
        Value meanSquare = n.add(new ReduceMean(true), n.add(new Multiply(), xs, xs), n.constant(Tensor.vector(axes)));
        Value rms = n.add(new Sqrt(), n.add(new Add(), meanSquare, scalar(n, n.attrFloat("epsilon", 1e-5f), stash)));
        Value normalized = convert(n, n.add(new Divide(), xs, rms), x.type());
        return List.of(n.add(new Multiply(), normalized, n.requireInput(1)));
    }

    /**
     * Attention-23/24 as its function body: Q·Kᵀ with both operands scaled by √scale, softcap, the attention bias
     * (mask, causal triangle, key padding of {@code nonpad_kv_seqlen}), softmax in {@code softmax_precision}, rows
     * whose bias is all -inf set to zero instead of NaN, then ·V. 3-D inputs are {@code [batch, seq, heads * size]}
     * and are split into heads; K/V heads are repeated for grouped-query attention. Outputs: Y, present key/value
     * (past concatenated with the new ones) and the scores at the stage {@code qk_matmul_output_mode} names
     * (0 Q·Kᵀ, 1 after softcap, 2 after the bias, 3 after softmax).
     */
    private static List<Value> attention(OnnxNode n) {
        Value q = n.requireInput(0);
        Value k = n.requireInput(1);
        Value v = n.requireInput(2);
        ElementType t = q.type();
        if (!t.isFloating() || k.type() != t || v.type() != t) {
            throw n.error("Q, K and V must have one floating type, got " + t + ", " + k.type() + ", " + v.type());
        }
        if (!q.shape().hasRank() || !k.shape().hasRank() || !v.shape().hasRank()) {
            throw new UnsupportedModelException("Attention node '" + n.name() + "' needs Q, K and V of known rank");
        }
        int rank = q.shape().rank();
        if ((rank != 3 && rank != 4) || k.shape().rank() != rank || v.shape().rank() != rank) {
            throw n.error("Q, K and V must all be 3-D or all 4-D, got " + q.shape() + ", " + k.shape() + ", "
                    + v.shape());
        }
        if (n.hasInput(4) != n.hasInput(5)) {
            throw n.error("past_key and past_value must be given together");
        }
        if (n.hasInput(6) && n.hasInput(4)) {
            throw n.error("nonpad_kv_seqlen cannot be combined with past_key/past_value");
        }
        if (rank == 3) {
            if (!n.has("q_num_heads") || !n.has("kv_num_heads")) {
                throw n.error("3-D inputs need the q_num_heads and kv_num_heads attributes");
            }
            q = splitHeads(n, q, n.attrInt("q_num_heads", 0));
            k = splitHeads(n, k, n.attrInt("kv_num_heads", 0));
            v = splitHeads(n, v, n.attrInt("kv_num_heads", 0));
        }
        int qHeads = staticDim(n, q, 1, "the number of query heads");
        int kvHeads = staticDim(n, k, 1, "the number of key/value heads");
        if (qHeads % kvHeads != 0) {
            throw n.error(qHeads + " query heads cannot share " + kvHeads + " key/value heads");
        }
        Value presentK = n.hasInput(4) ? n.add(new Concat(2), n.input(4), k) : k;
        Value presentV = n.hasInput(5) ? n.add(new Concat(2), n.input(5), v) : v;

        Value sqrtScale = scalar(n, (float) Math.sqrt(scale(n, q)), t);
        Value keys = repeatHeads(n, presentK, qHeads / kvHeads);
        Value values = repeatHeads(n, presentV, qHeads / kvHeads);
        Value qk = n.add(new MatMul(false, true), n.add(new Multiply(), q, sqrtScale),
                n.add(new Multiply(), keys, sqrtScale));
        Value capped = qk;
        float softcap = n.attrFloat("softcap", 0f);
        if (softcap != 0f) {
            Value cap = scalar(n, softcap, t);
            capped = n.add(new Multiply(), n.add(new Tanh(), n.add(new Divide(), qk, cap)), cap);
        }
        Value bias = bias(n, q, presentK, t);
        Value biased = bias == null ? capped : n.add(new Add(), capped, bias);
        ElementType precision = n.has("softmax_precision")
                ? TensorProtos.elementType((int) n.attrInt("softmax_precision", 1), "Attention softmax_precision") : t;
        Value probs = convert(n, n.add(new Softmax(-1), convert(n, biased, precision)), t);
        if (bias != null) {
            Value rowMax = n.add(new ReduceMax(true), bias, n.constant(Tensor.vector(-1)));
            Value allMasked = n.add(new Equal(), rowMax, scalar(n, Float.NEGATIVE_INFINITY, t));
            probs = n.add(new Select(), allMasked, scalar(n, 0f, t), probs);
        }
        Value y = n.add(new MatMul(false, false), probs, values);
        if (rank == 3) {
            y = n.add(new Reshape(true), n.add(new Transpose(), y, n.constant(Tensor.vector(HEADS_FIRST))),
                    n.constant(Tensor.vector(0, 0, -1)));
        }
        Value qkOutput = switch ((int) n.attrInt("qk_matmul_output_mode", 0)) {
            case 0 -> qk;
            case 1 -> capped;
            case 2 -> biased;
            case 3 -> probs;
            default -> throw n.error("qk_matmul_output_mode must be 0..3, got " + n.attrInt("qk_matmul_output_mode", 0));
        };
        return List.of(y, presentK, presentV, qkOutput);
    }

    /** {@code [batch, seq, heads * size]} to {@code [batch, heads, seq, size]}. */
    private static Value splitHeads(OnnxNode n, Value x, long heads) {
        Value split = n.add(new Reshape(true), x, n.constant(Tensor.vector(0, 0, heads, -1)));
        return n.add(new Transpose(), split, n.constant(Tensor.vector(HEADS_FIRST)));
    }

    /** Each key/value head repeated {@code times} in place (head h serves query heads h*times .. h*times+times-1). */
    private static Value repeatHeads(OnnxNode n, Value x, int times) {
        if (times == 1) {
            return x;
        }
        int heads = staticDim(n, x, 1, "the number of key/value heads");
        int size = staticDim(n, x, 3, "the head size");
        Value repeated = n.add(new Broadcast(Broadcast.Mode.BIDIRECTIONAL),
                n.add(new Unsqueeze(), x, n.constant(Tensor.vector(2))), n.constant(Tensor.vector(1, 1, times, 1, 1)));
        return n.add(new Reshape(true), repeated, n.constant(Tensor.vector(0, (long) heads * times, -1, size)));
    }

    /** The {@code scale} attribute, or 1/√(head size) rounded as the function body does it (in f32). */
    private static float scale(OnnxNode n, Value q) {
        if (n.has("scale")) {
            return n.attrFloat("scale", 1f);
        }
        return 1f / (float) Math.sqrt(staticDim(n, q, 3, "the head size (without a scale attribute)"));
    }

    /**
     * The additive attention bias, broadcastable to the scores {@code [batch, heads, q_seq, total_seq]}, or
     * {@code null} when nothing is masked: the mask (boolean true = attend; shorter masks padded with -inf to the
     * total length), plus -inf above the causal diagonal (shifted by the past length, or per batch so that the last
     * query row meets the last valid key when {@code nonpad_kv_seqlen} is given), plus -inf at keys beyond
     * {@code nonpad_kv_seqlen}.
     */
    private static Value bias(OnnxNode n, Value q, Value presentK, ElementType t) {
        Value zero = scalar(n, 0f, t);
        Value minusInf = scalar(n, Float.NEGATIVE_INFINITY, t);
        Value total = dim(n, presentK, 2);
        Value bias = null;
        if (n.hasInput(3)) {
            Value mask = n.input(3);
            bias = mask.type() == ElementType.BOOLEAN ? n.add(new Select(), mask, zero, minusInf) : convert(n, mask, t);
            bias = padKeys(n, bias, presentK, total, minusInf);
        }
        Value nonpad = n.hasInput(6) ? convert(n, n.input(6), ElementType.I64) : null;
        Value keyPositions = n.add(new Range(ElementType.I64), n.constant(Tensor.scalar(0L)), total,
                n.constant(Tensor.scalar(1L)));
        if (n.attrInt("is_causal", 0) != 0) {
            Value queryLength = dim(n, q, 2);
            Value rows = n.add(new Unsqueeze(), n.add(new Range(ElementType.I64), n.constant(Tensor.scalar(0L)),
                    queryLength, n.constant(Tensor.scalar(1L))), n.constant(Tensor.vector(1)));
            Value offset;
            if (nonpad != null) {
                offset = n.add(new Reshape(false), n.add(new Subtract(), nonpad, queryLength),
                        n.constant(Tensor.vector(-1, 1, 1, 1)));
            } else {
                offset = n.hasInput(4) ? dim(n, n.input(4), 2) : n.constant(Tensor.scalar(0L));
            }
            Value future = n.add(new Less(), n.add(new Add(), rows, offset), keyPositions);
            bias = accumulate(n, bias, n.add(new Select(), future, minusInf, zero));
        }
        if (nonpad != null) {
            Value valid = n.add(new Less(), keyPositions,
                    n.add(new Reshape(false), nonpad, n.constant(Tensor.vector(-1, 1, 1, 1))));
            bias = accumulate(n, bias, n.add(new Select(), valid, zero, minusInf));
        }
        return bias;
    }

    private static Value accumulate(OnnxNode n, Value bias, Value term) {
        return bias == null ? term : n.add(new Add(), bias, term);
    }

    /** The mask's last axis padded with -inf up to the total key length (Attention-24 allows shorter masks). */
    private static Value padKeys(OnnxNode n, Value mask, Value presentK, Value total, Value minusInf) {
        PartialShape s = mask.shape();
        if (!s.hasRank() || s.rank() == 0) {
            throw new UnsupportedModelException("Attention node '" + n.name() + "' needs an attn_mask of known rank");
        }
        int last = s.dim(s.rank() - 1);
        PartialShape keys = presentK.shape();
        if (last != PartialShape.DYNAMIC && !keys.isDynamic(2) && last == keys.dim(2)) {
            return mask;
        }
        Value missing = n.add(new Subtract(), total, dim(n, mask, s.rank() - 1));
        Value end = n.add(new Concat(0), n.constant(Tensor.vector(new long[s.rank() - 1])),
                n.add(new Unsqueeze(), missing, n.constant(Tensor.vector(0))));
        return n.add(new Pad(Pad.Mode.CONSTANT), mask, n.constant(Tensor.vector(new long[s.rank()])), end, minusInf);
    }

    /** Dimension {@code axis} of {@code x} as an i64 scalar (folds to a constant when static). */
    private static Value dim(OnnxNode n, Value x, int axis) {
        return n.add(new Gather(0), n.add(new ShapeOf(ElementType.I64), x), n.constant(Tensor.scalar((long) axis)),
                n.constant(Tensor.scalar(0L)));
    }

    private static int staticDim(OnnxNode n, Value x, int axis, String what) {
        if (!x.shape().hasRank() || x.shape().isDynamic(axis)) {
            throw new UnsupportedModelException(n.opType() + " node '" + n.name() + "' needs " + what
                    + " to be static; set the input shapes");
        }
        return x.shape().dim(axis);
    }

    static Value scalar(OnnxNode n, float value, ElementType type) {
        return n.constant(Tensor.scalar(value).convertTo(type));
    }

    static Value convert(OnnxNode n, Value x, ElementType type) {
        return x.type() == type ? x : n.add(new Convert(type), x);
    }
}
