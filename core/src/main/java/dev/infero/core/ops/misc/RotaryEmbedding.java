package dev.infero.core.ops.misc;

import dev.infero.core.op.Attribute;
import dev.infero.core.op.InferContext;
import dev.infero.core.op.Op;
import dev.infero.core.op.OpSpec;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.PartialShape;

/**
 * Rotary positional embedding (ONNX RotaryEmbedding-23; Infero's own op, version "infero"). Input 0 is
 * {@code [batch, heads, seq, head_size]} or {@code [batch, seq, heads·head_size]} (then {@code num_heads} splits it);
 * inputs 1 and 2 are the cos and sin caches, {@code [max_position + 1, rotary_dim / 2]} indexed by the optional
 * position ids (input 3, {@code [batch, seq]}), or {@code [batch, seq, rotary_dim / 2]} without them. The first
 * {@code rotary_embedding_dim} values of each head (0: all) rotate in pairs — the two halves, or adjacent values when
 * {@code interleaved} — as {@code (x1·cos − x2·sin, x1·sin + x2·cos)}; the rest pass through.
 */
public final class RotaryEmbedding extends Op {
    private static final Attribute<RotaryEmbedding, Boolean> INTERLEAVED = Attribute.bool("interleaved",
            (RotaryEmbedding op) -> op.interleaved).orElse(false);
    private static final Attribute<RotaryEmbedding, Long> NUM_HEADS = Attribute.integer("num_heads",
            (RotaryEmbedding op) -> (long) op.numHeads).orElse(0L);
    private static final Attribute<RotaryEmbedding, Long> ROTARY_EMBEDDING_DIM = Attribute.integer(
            "rotary_embedding_dim", (RotaryEmbedding op) -> (long) op.rotaryDim).orElse(0L);
    public static final OpSpec<RotaryEmbedding> SPEC = OpSpec.of(RotaryEmbedding.class, "RotaryEmbedding", "infero",
            a -> new RotaryEmbedding(INTERLEAVED.read(a), (int) (long) NUM_HEADS.read(a),
                    (int) (long) ROTARY_EMBEDDING_DIM.read(a)), INTERLEAVED, NUM_HEADS, ROTARY_EMBEDDING_DIM);

    private final boolean interleaved;
    private final int numHeads;
    private final int rotaryDim;

    public RotaryEmbedding(boolean interleaved, int numHeads, int rotaryDim) {
        this.interleaved = interleaved;
        this.numHeads = numHeads;
        this.rotaryDim = rotaryDim;
    }

    @Override
    public void infer(InferContext ctx) {
        PartialShape x = ctx.inputShape(0);
        if (x.hasRank() && x.rank() != 3 && x.rank() != 4) {
            throw ctx.error("input must be 3-D or 4-D, got " + x);
        }
        if (x.hasRank() && x.rank() == 3 && numHeads <= 0) {
            throw ctx.error("a 3-D input needs num_heads");
        }
        if (!ctx.inputType(0).isFloating() || ctx.inputType(1) != ctx.inputType(0)
                || ctx.inputType(2) != ctx.inputType(0)) {
            throw ctx.error("input, cos_cache and sin_cache must share one floating type");
        }
        if (x.isStatic()) {
            int headSize = x.rank() == 4 ? x.dim(3) : x.dim(2) / numHeads;
            int rot = rotaryDim == 0 ? headSize : rotaryDim;
            if (rot > headSize || rot % 2 != 0 || (x.rank() == 3 && x.dim(2) % numHeads != 0)) {
                throw ctx.error("rotary_embedding_dim " + rot + " must be even and at most the head size " + headSize);
            }
        }
        ctx.setOutput(0, ctx.inputType(0), x);
    }

    @Override
    public void evaluate(Tensor[] inputs, Tensor[] outputs) {
        Tensor x = inputs[0];
        Tensor cos = inputs[1];
        Tensor sin = inputs[2];
        Tensor positions = inputs.length > 3 ? inputs[3] : null;
        Tensor out = outputs[0];
        int[] s = x.shape();
        boolean fourD = s.length == 4;
        int batch = s[0];
        int heads = fourD ? s[1] : numHeads;
        int seq = fourD ? s[2] : s[1];
        int headSize = fourD ? s[3] : s[2] / numHeads;
        int rot = rotaryDim == 0 ? headSize : rotaryDim;
        int half = rot / 2;
        int cacheLast = cos.shape()[cos.rank() - 1];
        int cacheRows = cos.shape()[0];
        for (int b = 0; b < batch; b++) {
            for (int t = 0; t < seq; t++) {
                long row;
                if (positions != null) {
                    row = positions.getLong(b * seq + t);
                    if (row < 0 || row >= cacheRows) {
                        throw new IllegalArgumentException("position id " + row + " is outside the cos/sin cache of "
                                + cacheRows + " rows");
                    }
                } else {
                    row = (long) b * seq + t;
                }
                int cacheBase = (int) (row * cacheLast);
                for (int h = 0; h < heads; h++) {
                    int base = fourD ? ((b * heads + h) * seq + t) * headSize : (b * seq + t) * heads * headSize + h * headSize;
                    for (int i = 0; i < half; i++) {
                        int a = base + (interleaved ? 2 * i : i);
                        int c = base + (interleaved ? 2 * i + 1 : i + half);
                        double x1 = x.getDouble(a);
                        double x2 = x.getDouble(c);
                        double cv = cos.getDouble(cacheBase + i);
                        double sv = sin.getDouble(cacheBase + i);
                        out.setDouble(a, cv * x1 - sv * x2);
                        out.setDouble(c, sv * x1 + cv * x2);
                    }
                    for (int d = rot; d < headSize; d++) {
                        out.setDouble(base + d, x.getDouble(base + d));
                    }
                }
            }
        }
    }
}
