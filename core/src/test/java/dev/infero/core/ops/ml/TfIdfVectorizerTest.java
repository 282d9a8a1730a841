package dev.infero.core.ops.ml;

import static dev.infero.core.ops.OpHarness.assertRoundTrips;
import static dev.infero.core.ops.OpHarness.eval;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infero.core.InvalidModelException;
import dev.infero.core.ops.ml.TfIdfVectorizer.Mode;
import dev.infero.core.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** N-grams with skips (the ONNX specification's examples), 1-grams counted once, the weightings, batches. */
class TfIdfVectorizerTest {
    private static final Tensor SPEC_INPUT = Tensor.of(new long[] {94, 17, 36, 12, 28}, 5);

    @Test
    void countsBigramsOfThePoolInTheirColumns() {
        // pool 2-grams [94, 17] → column 1 and [17, 36] → column 0 (no 1-grams: ngram_counts [0, 0])
        TfIdfVectorizer op = new TfIdfVectorizer(2, 2, 0, Mode.TF, new long[] {94, 17, 17, 36}, new long[] {0, 0},
                new long[] {1, 0}, new float[0]);
        assertArrayEquals(new float[] {1, 1}, eval(op, SPEC_INPUT).toFloatArray());
    }

    @Test
    void skipsUpToTheMaximumFormGramsOfSpacedTokens() {
        // [94, 12] is tokens 0 and 3: a skip of 2; not counted with at most 1 skip
        long[] pool = {94, 17, 17, 36, 94, 12};
        long[] columns = {1, 0, 2};
        assertArrayEquals(new float[] {1, 1, 1}, eval(new TfIdfVectorizer(2, 2, 2, Mode.TF, pool, new long[] {0, 0},
                columns, new float[0]), SPEC_INPUT).toFloatArray());
        assertArrayEquals(new float[] {1, 1, 0}, eval(new TfIdfVectorizer(2, 2, 1, Mode.TF, pool, new long[] {0, 0},
                columns, new float[0]), SPEC_INPUT).toFloatArray());
    }

    @Test
    void unigramsAreCountedOnceWhateverTheSkipsAndWeightsScaleByColumn() {
        long[] pool = {17, 17, 36}; // 1-gram [17], 2-gram [17, 36]
        Tensor x = Tensor.of(new int[] {17, 36, 17}, 3);
        assertArrayEquals(new float[] {2, 1}, eval(new TfIdfVectorizer(1, 2, 1, Mode.TF, pool, new long[] {0, 1},
                new long[] {0, 1}, new float[0]), x).toFloatArray());
        float[] weights = {0.5f, 3};
        assertArrayEquals(new float[] {0.5f, 3}, eval(new TfIdfVectorizer(1, 2, 1, Mode.IDF, pool,
                new long[] {0, 1}, new long[] {0, 1}, weights), x).toFloatArray());
        assertArrayEquals(new float[] {1, 3}, eval(new TfIdfVectorizer(1, 2, 1, Mode.TFIDF, pool,
                new long[] {0, 1}, new long[] {0, 1}, weights), x).toFloatArray());
        // lengths outside [min, max] are not counted: only the 2-gram
        assertArrayEquals(new float[] {0, 1}, eval(new TfIdfVectorizer(2, 2, 1, Mode.TF, pool, new long[] {0, 1},
                new long[] {0, 1}, new float[0]), x).toFloatArray());
    }

    @Test
    void rowsOfABatchAreCountedApart() {
        Tensor x = Tensor.of(new long[] {17, 36, 5, 5, 17, 17}, 2, 3);
        Tensor y = eval(new TfIdfVectorizer(1, 2, 0, Mode.TF, new long[] {17, 17, 36}, new long[] {0, 1},
                new long[] {0, 1}, new float[0]), x);
        assertArrayEquals(new int[] {2, 2}, y.shape());
        assertArrayEquals(new float[] {1, 1, 2, 0}, y.toFloatArray());
    }

    @Test
    void rejectsAPoolTheCountsDoNotSplitAndRoundTrips() {
        InvalidModelException e = assertThrows(InvalidModelException.class, () -> new TfIdfVectorizer(1, 1, 0,
                Mode.TF, new long[] {1, 2}, new long[] {0, 5}, new long[] {0, 1}, new float[0]));
        assertTrue(e.getMessage().contains("do not split the pool"), e.getMessage());
        assertRoundTrips(new TfIdfVectorizer(1, 3, 2, Mode.TFIDF, new long[] {4, 5, 4, 5}, new long[] {0, 2},
                new long[] {2, 0, 1}, new float[] {0.25f, 1, 2}));
    }
}
