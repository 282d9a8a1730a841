package dev.infero.core.ops.ml;

import dev.infero.core.InvalidModelException;
import dev.infero.core.op.Attribute;
import dev.infero.core.op.InferContext;
import dev.infero.core.op.Op;
import dev.infero.core.op.OpSpec;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.core.types.PartialShape;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * N-gram counts of integer token ids (ONNX TfIdfVectorizer-9 with {@code pool_int64s}): input {@code [C]} or
 * {@code [N, C]} (i32 or i64) gives f32 {@code [K]} or {@code [N, K]}, {@code K = max(ngram_indexes) + 1}.
 *
 * <p>The pool holds the n-grams to count, grouped by length: those of length {@code g} start at
 * {@code ngram_counts[g - 1]} and run to the next group's start. The {@code i}-th n-gram of the pool (over all
 * lengths, in order) is counted in output column {@code ngram_indexes[i]}; lengths outside
 * {@code [min_gram_length, max_gram_length]} are not counted (a repeated n-gram counts in its last column). Within a
 * row, for every skip {@code s} in {@code 0..max_skip_count} and start position {@code p}, the tokens at
 * {@code p, p + (s + 1), p + 2(s + 1), ...} form n-grams of each counted length that fits; 1-grams are counted once,
 * not once per skip. Mode {@code TF} gives the counts, {@code IDF} {@code weights[column]} (or 1) where the count is
 * positive, {@code TFIDF} the counts times {@code weights[column]} (or 1), as ONNX's reference does.
 *
 * <p>Infero-specific (version "infero"): OpenVINO has no such op. String pools need string tensors, which Infero lacks.
 */
public final class TfIdfVectorizer extends Op {
    /** The weighting of the counts, as ONNX's {@code mode}. */
    public enum Mode { TF, IDF, TFIDF }

    private static final Attribute<TfIdfVectorizer, Long> MIN_GRAM =
            Attribute.<TfIdfVectorizer>integer("min_gram_length", t -> (long) t.minGram);
    private static final Attribute<TfIdfVectorizer, Long> MAX_GRAM =
            Attribute.<TfIdfVectorizer>integer("max_gram_length", t -> (long) t.maxGram);
    private static final Attribute<TfIdfVectorizer, Long> MAX_SKIP =
            Attribute.<TfIdfVectorizer>integer("max_skip_count", t -> (long) t.maxSkip);
    private static final Attribute<TfIdfVectorizer, Mode> MODE = Attribute.<TfIdfVectorizer, Mode>enumValue("mode",
            Mode.class, t -> t.mode).orElse(Mode.TF);
    private static final Attribute<TfIdfVectorizer, long[]> POOL = Attribute.<TfIdfVectorizer>integers("pool_int64s",
            t -> t.pool);
    private static final Attribute<TfIdfVectorizer, long[]> NGRAM_COUNTS =
            Attribute.<TfIdfVectorizer>integers("ngram_counts", t -> t.ngramCounts);
    private static final Attribute<TfIdfVectorizer, long[]> NGRAM_INDEXES =
            Attribute.<TfIdfVectorizer>integers("ngram_indexes", t -> t.ngramIndexes);
    private static final Attribute<TfIdfVectorizer, float[]> WEIGHTS = Attribute.<TfIdfVectorizer>numbers("weights",
            t -> t.weights);
    public static final OpSpec<TfIdfVectorizer> SPEC = OpSpec.of(TfIdfVectorizer.class, "TfIdfVectorizer", "infero",
            a -> new TfIdfVectorizer(Math.toIntExact(MIN_GRAM.read(a)), Math.toIntExact(MAX_GRAM.read(a)),
                    Math.toIntExact(MAX_SKIP.read(a)), MODE.read(a), POOL.read(a), NGRAM_COUNTS.read(a),
                    NGRAM_INDEXES.read(a), WEIGHTS.read(a)),
            MIN_GRAM, MAX_GRAM, MAX_SKIP, MODE, POOL, NGRAM_COUNTS, NGRAM_INDEXES, WEIGHTS);

    private final int minGram;
    private final int maxGram;
    private final int maxSkip;
    private final Mode mode;
    private final long[] pool;
    private final long[] ngramCounts;
    private final long[] ngramIndexes;
    private final float[] weights;
    private final int columns;
    /** Each counted n-gram of the pool, by its tokens, to its output column. */
    private final Map<List<Long>, Integer> grams = new HashMap<>();

    public TfIdfVectorizer(int minGram, int maxGram, int maxSkip, Mode mode, long[] pool, long[] ngramCounts,
                           long[] ngramIndexes, float[] weights) {
        this.minGram = minGram;
        this.maxGram = maxGram;
        this.maxSkip = maxSkip;
        this.mode = mode;
        this.pool = pool.clone();
        this.ngramCounts = ngramCounts.clone();
        this.ngramIndexes = ngramIndexes.clone();
        this.weights = weights.clone();
        if (minGram < 1 || maxGram < minGram || maxSkip < 0) {
            throw invalid("min_gram_length " + minGram + ", max_gram_length " + maxGram + " and max_skip_count "
                    + maxSkip + " must satisfy 1 <= min <= max and skips >= 0");
        }
        if (ngramIndexes.length == 0) {
            throw invalid("ngram_indexes is empty");
        }
        long maxColumn = Arrays.stream(ngramIndexes).max().getAsLong();
        if (Arrays.stream(ngramIndexes).min().getAsLong() < 0 || maxColumn >= Integer.MAX_VALUE) {
            throw invalid("ngram_indexes must lie in 0.." + (Integer.MAX_VALUE - 1));
        }
        this.columns = (int) maxColumn + 1;
        if (weights.length != 0 && weights.length < columns) {
            throw invalid(weights.length + " weights for " + columns + " output columns");
        }
        int id = 0;
        for (int g = 1; g <= ngramCounts.length; g++) {
            long start = ngramCounts[g - 1];
            long end = g < ngramCounts.length ? ngramCounts[g] : pool.length;
            if (start < 0 || end < start || end > pool.length) {
                throw invalid("ngram_counts " + Arrays.toString(ngramCounts) + " do not split the pool of "
                        + pool.length);
            }
            for (long at = start; at + g <= end; at += g, id++) {
                if (g < minGram || g > maxGram) {
                    continue;
                }
                if (id >= ngramIndexes.length) {
                    throw invalid("the pool holds more n-grams than the " + ngramIndexes.length + " ngram_indexes");
                }
                Long[] tokens = new Long[g];
                for (int j = 0; j < g; j++) {
                    tokens[j] = pool[(int) at + j];
                }
                grams.put(List.of(tokens), (int) ngramIndexes[id]);
            }
        }
    }

    private static InvalidModelException invalid(String message) {
        return new InvalidModelException("TfIdfVectorizer: " + message);
    }

    @Override
    public void infer(InferContext ctx) {
        ElementType t = ctx.inputType(0);
        if (t != ElementType.I32 && t != ElementType.I64) {
            throw ctx.error("the tokens must be i32 or i64 ids, got " + t);
        }
        PartialShape x = ctx.inputShape(0);
        if (!x.hasRank()) {
            throw ctx.error("the tokens' rank must be known ([C] or [N, C])");
        }
        if (x.rank() == 1) {
            ctx.setOutput(0, ElementType.F32, PartialShape.of(columns));
        } else if (x.rank() == 2) {
            ctx.setOutput(0, ElementType.F32, PartialShape.of(x.dim(0), columns));
        } else {
            throw ctx.error("the tokens must be [C] or [N, C], got " + x);
        }
    }

    @Override
    public void evaluate(Tensor[] inputs, Tensor[] outputs) {
        Tensor x = inputs[0];
        Tensor y = outputs[0];
        int rows = x.rank() == 2 ? x.dim(0) : 1;
        int length = x.rank() == 2 ? x.dim(1) : x.dim(0);
        long[] counts = new long[columns];
        Long[] tokens = new Long[maxGram];
        for (int r = 0; r < rows; r++) {
            Arrays.fill(counts, 0);
            int base = r * length;
            int first = minGram;
            for (int distance = 1; distance <= maxSkip + 1; distance++) {
                for (int p = 0; p < length; p++) {
                    for (int g = 1; g <= maxGram && p + (g - 1) * distance < length; g++) {
                        tokens[g - 1] = x.getLong(base + p + (g - 1) * distance);
                        if (g >= first) {
                            Integer column = grams.get(Arrays.asList(tokens).subList(0, g));
                            if (column != null) {
                                counts[column]++;
                            }
                        }
                    }
                }
                if (first == 1) {
                    first = 2; // 1-grams do not depend on the skip
                    if (first > maxGram) {
                        break;
                    }
                }
            }
            for (int c = 0; c < columns; c++) {
                float w = weights.length == 0 ? 1 : weights[c];
                y.setDouble(r * columns + c, switch (mode) {
                    case TF -> counts[c];
                    case IDF -> counts[c] > 0 ? w : 0;
                    case TFIDF -> w * counts[c];
                });
            }
        }
    }
}
