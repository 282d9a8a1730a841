package dev.infero.onnx.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infero.core.InferoException;
import dev.infero.core.graph.Graph;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.onnx.OnnxModelBuilder;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** The {@code ai.onnx.ml} translators on constant inputs that fold at import. */
class MlOpsTest {
    private static Tensor run(String op, int mlOpset, Consumer<OnnxModelBuilder.NodeBuilder> attrs, Tensor... in) {
        Graph g = OneNodeModel.imported(17, op, new String[] {"y"}, n -> attrs.accept(n.domain(MlOps.DOMAIN,
                mlOpset)), in);
        Tensor y = g.results().get(0).input(0).knownValue();
        assertTrue(y != null, "output folds");
        return y;
    }

    /**
     * sklearn-onnx's regressor form: tree 5 (listed second) splits "x0 <= 1" (node 0) then "x1 < 0" (node 1) into
     * leaves 3 and 4, with leaf 2 on the false side of node 0; tree 2 is one leaf. Leaf (5, 4) votes for both
     * targets.
     */
    private static void regressor(OnnxModelBuilder.NodeBuilder n) {
        n.attrInts("nodes_treeids", 2, 5, 5, 5, 5, 5).attrInts("nodes_nodeids", 0, 0, 1, 2, 3, 4)
                .attrInts("nodes_featureids", 0, 0, 1, 0, 0, 0)
                .attrFloats("nodes_values", 0, 1, 0, 0, 0, 0)
                .attrStrings("nodes_modes", "LEAF", "BRANCH_LEQ", "BRANCH_LT", "LEAF", "LEAF", "LEAF")
                .attrInts("nodes_truenodeids", 0, 1, 3, 0, 0, 0).attrInts("nodes_falsenodeids", 0, 2, 4, 0, 0, 0)
                .attrInts("target_treeids", 5, 5, 5, 5, 2).attrInts("target_nodeids", 3, 4, 4, 2, 0)
                .attrInts("target_ids", 0, 0, 1, 1, 0).attrFloats("target_weights", 1, 2, 10, 4, 100)
                .attr("n_targets", 2L).attrFloats("base_values", 0.5f, 0);
    }

    @Test
    void treeEnsembleRegressorFindsRootsLeavesAndVotesByTreeAndNodeIds() {
        Tensor x = Tensor.of(new float[] {1, -1, 0, 5, 3, -1}, 3, 2);
        Tensor y = run("TreeEnsembleRegressor", 3, MlOpsTest::regressor, x);
        assertArrayEquals(new int[] {3, 2}, y.shape());
        assertArrayEquals(new float[] {101.5f, 0, 102.5f, 10, 100.5f, 4}, y.toFloatArray());
        // integer features are compared in f64; the scores stay f32
        Tensor ints = run("TreeEnsembleRegressor", 3, MlOpsTest::regressor, Tensor.of(new long[] {1, -1, 0, 5}, 2, 2));
        assertEquals(ElementType.F32, ints.type());
        assertArrayEquals(new float[] {101.5f, 0, 102.5f, 10}, ints.toFloatArray());
        Tensor averaged = run("TreeEnsembleRegressor", 3, n -> regressor(n.attr("aggregate_function", "AVERAGE")),
                Tensor.of(new float[] {0, 5}, 1, 2));
        assertArrayEquals(new float[] {102 / 2f + 0.5f, 10 / 2f}, averaged.toFloatArray());
    }

    @Test
    void treeEnsembleRegressorNamesABrokenReference() {
        InferoException e = assertThrows(InferoException.class, () -> run("TreeEnsembleRegressor", 3,
                n -> {
                    regressor(n);
                    n.attrInts("target_treeids", 5, 5, 5, 5, 3); // the later attribute of a name wins
                }, Tensor.of(new float[2], 1, 2)));
        assertTrue(e.getMessage().contains("tree 3 has no node 0"), e.getMessage());
    }

    @Test
    void treeEnsembleFiveTakesLeafFlagsAndALeafOnlyTree() {
        // tree 0: node 0 "x0 > 2" → leaf 0 (target 1) / leaf 1 (target 0); tree 1: node 1 pointing twice at leaf 2
        Tensor y = run("TreeEnsemble", 5, n -> n.attrInts("nodes_featureids", 0, 0)
                .attr("nodes_modes", Tensor.of(new int[] {3, 0}, 2).convertTo(ElementType.U8))
                .attr("nodes_splits", Tensor.of(new float[] {2, 0}, 2))
                .attrInts("nodes_truenodeids", 0, 2).attrInts("nodes_trueleafs", 1, 1)
                .attrInts("nodes_falsenodeids", 1, 2).attrInts("nodes_falseleafs", 1, 1)
                .attrInts("tree_roots", 0, 1).attrInts("leaf_targetids", 1, 0, 0)
                .attr("leaf_weights", Tensor.of(new float[] {5, 7, 0.5f}, 3)),
                Tensor.of(new float[] {3, 1}, 2, 1));
        assertArrayEquals(new float[] {0.5f, 5, 7.5f, 0}, y.toFloatArray());
    }

    @Test
    void labelEncoderMapsNumericKeysToValuesWithTheLastOfARepeatedKeyAndADefault() {
        Tensor y = run("LabelEncoder", 2, n -> n.attrInts("keys_int64s", 7, 3, 7).attrFloats("values_floats", 1, 2, 5)
                .attr("default_float", -9f), Tensor.of(new long[] {3, 7, 4, 3}, 2, 2));
        assertArrayEquals(new int[] {2, 2}, y.shape());
        assertEquals(ElementType.F32, y.type());
        assertArrayEquals(new float[] {2, 5, -9, 2}, y.toFloatArray());
        Tensor back = run("LabelEncoder", 2, n -> n.attrFloats("keys_floats", 0.5f, 1.5f).attrInts("values_int64s",
                10, 20), Tensor.of(new float[] {1.5f, 2, 0.5f}, 3));
        assertArrayEquals(new long[] {20, -1, 10}, back.toLongArray());
        Tensor tensors = run("LabelEncoder", 4, n -> n.attr("keys_tensor", Tensor.of(new long[] {1, 2}, 2))
                .attr("values_tensor", Tensor.of(new long[] {100, 200}, 2)).attr("default_tensor",
                        Tensor.of(new long[] {0}, 1)), Tensor.of(new long[] {2, 5}, 2));
        assertArrayEquals(new long[] {200, 0}, tensors.toLongArray());
        InferoException strings = assertThrows(InferoException.class, () -> run("LabelEncoder", 2,
                n -> n.attrStrings("keys_strings", "a").attrInts("values_int64s", 1), Tensor.of(new long[] {1}, 1)));
        assertTrue(strings.getMessage().contains("string tensors"), strings.getMessage());
    }

    @Test
    void binarizerIsGreaterThanTheThresholdInTheInputType() {
        Tensor y = run("Binarizer", 1, n -> n.attr("threshold", 0.5f), Tensor.of(new float[] {-1, 0.5f, 2,
                Float.NaN}, 4));
        assertArrayEquals(new float[] {0, 0, 1, 0}, y.toFloatArray());
        assertEquals(ElementType.I64, run("Binarizer", 1, n -> { }, Tensor.of(new long[] {-3, 4}, 2)).type());
    }

    @Test
    void arrayFeatureExtractorGathersAlongTheLastAxisAndMakesAVectorOneRow() {
        Tensor x = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        Tensor y = run("ArrayFeatureExtractor", 1, n -> { }, x, Tensor.of(new long[] {2, 0}, 1, 2));
        assertArrayEquals(new int[] {2, 2}, y.shape());
        assertArrayEquals(new float[] {3, 1, 6, 4}, y.toFloatArray());
        Tensor row = run("ArrayFeatureExtractor", 1, n -> { }, Tensor.of(new float[] {7, 8, 9}, 3),
                Tensor.vector(1));
        assertArrayEquals(new int[] {1, 1}, row.shape());
        assertEquals(8, row.getDouble(0));
    }
}
