package dev.infero.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.onnx.OnnxModelBuilder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code ai.onnx.ml} operators and TfIdfVectorizer give what ONNX Runtime computes (device ORT) on random forests
 * and inputs: tree ensembles of both forms with every comparison, NaN features routed by
 * {@code nodes_missing_value_tracks_true}, every aggregation and the post transforms; Binarizer,
 * ArrayFeatureExtractor, LabelEncoder and n-gram counts.
 */
class MlOpsOrtTest {
    private static final String ML = "ai.onnx.ml";
    private static final String[] MODES = {"BRANCH_LEQ", "BRANCH_LT", "BRANCH_GTE", "BRANCH_GT", "BRANCH_EQ",
        "BRANCH_NEQ"};
    private static final int FEATURES = 5;

    @TempDir
    Path dir;

    private final Random random = new Random(11);

    /** One tree node: interior (feature, mode, threshold, children) or a leaf (its votes). */
    private record TreeNode(int feature, int mode, float threshold, boolean tracksNan, TreeNode yes, TreeNode no,
                            int[] targets, float[] weights) {
        boolean leaf() {
            return yes == null;
        }
    }

    /** Thresholds and features on a grid of halves, so EQ and NEQ decide something; some features NaN. */
    private float grid() {
        return (random.nextInt(9) - 4) * 0.5f;
    }

    /** A random tree; {@code rootLeaf}: whether the root itself may be a leaf (a one-leaf tree). */
    private TreeNode tree(int depth, int targets, boolean oneVote, boolean rootLeaf) {
        if (depth == 0 || rootLeaf && random.nextInt(4) == 0) {
            int votes = oneVote ? 1 : 1 + random.nextInt(2);
            int[] t = new int[votes];
            float[] w = new float[votes];
            for (int i = 0; i < votes; i++) {
                t[i] = (random.nextInt(targets) + i) % targets;
                w[i] = random.nextFloat() * 4 - 2;
            }
            return new TreeNode(0, 0, 0, false, null, null, t, w);
        }
        return new TreeNode(random.nextInt(FEATURES), random.nextInt(MODES.length), grid(), random.nextBoolean(),
                tree(depth - 1, targets, oneVote, true), tree(depth - 1, targets, oneVote, true), null, null);
    }

    private Tensor features(int rows) {
        Tensor x = Tensor.allocate(ElementType.F32, rows, FEATURES);
        for (int i = 0; i < x.size(); i++) {
            x.floats()[i] = random.nextInt(10) == 0 ? Float.NaN : grid();
        }
        return x;
    }

    /** The old form: node ids per tree in depth-first order, LEAF nodes, votes by (tree, node). */
    private static void regressor(OnnxModelBuilder.NodeBuilder n, List<TreeNode> trees, int targets) {
        List<Long> treeIds = new ArrayList<>();
        List<Long> nodeIds = new ArrayList<>();
        List<Long> features = new ArrayList<>();
        List<Float> values = new ArrayList<>();
        List<String> modes = new ArrayList<>();
        List<Long> yes = new ArrayList<>();
        List<Long> no = new ArrayList<>();
        List<Long> tracks = new ArrayList<>();
        List<Long> voteTrees = new ArrayList<>();
        List<Long> voteNodes = new ArrayList<>();
        List<Long> voteTargets = new ArrayList<>();
        List<Float> voteWeights = new ArrayList<>();
        for (int t = 0; t < trees.size(); t++) {
            List<TreeNode> order = new ArrayList<>();
            flatten(trees.get(t), order);
            for (int i = 0; i < order.size(); i++) {
                TreeNode node = order.get(i);
                treeIds.add((long) t);
                nodeIds.add((long) i);
                features.add((long) node.feature());
                values.add(node.threshold());
                modes.add(node.leaf() ? "LEAF" : MODES[node.mode()]);
                yes.add(node.leaf() ? 0L : order.indexOf(node.yes()));
                no.add(node.leaf() ? 0L : order.indexOf(node.no()));
                tracks.add(node.tracksNan() ? 1L : 0L);
                if (node.leaf()) {
                    for (int v = 0; v < node.targets().length; v++) {
                        voteTrees.add((long) t);
                        voteNodes.add((long) i);
                        voteTargets.add((long) node.targets()[v]);
                        voteWeights.add(node.weights()[v]);
                    }
                }
            }
        }
        n.attrInts("nodes_treeids", longs(treeIds)).attrInts("nodes_nodeids", longs(nodeIds))
                .attrInts("nodes_featureids", longs(features)).attrFloats("nodes_values", floats(values))
                .attrStrings("nodes_modes", modes.toArray(String[]::new))
                .attrInts("nodes_truenodeids", longs(yes)).attrInts("nodes_falsenodeids", longs(no))
                .attrInts("nodes_missing_value_tracks_true", longs(tracks))
                .attrInts("target_treeids", longs(voteTrees)).attrInts("target_nodeids", longs(voteNodes))
                .attrInts("target_ids", longs(voteTargets)).attrFloats("target_weights", floats(voteWeights))
                .attr("n_targets", (long) targets);
    }

    /** TreeEnsemble-5: interior nodes only, leaves apart with one vote each. */
    private static void ensemble(OnnxModelBuilder.NodeBuilder n, List<TreeNode> trees, int targets) {
        List<TreeNode> interior = new ArrayList<>();
        List<TreeNode> leaves = new ArrayList<>();
        List<Long> roots = new ArrayList<>();
        for (TreeNode root : trees) {
            List<TreeNode> order = new ArrayList<>();
            flatten(root, order);
            if (root.leaf()) { // a leaf alone: one node whose branches both reach it
                roots.add((long) interior.size());
                interior.add(new TreeNode(0, 0, 0, false, root, root, null, null));
            } else {
                roots.add((long) interior.size());
            }
            for (TreeNode node : order) {
                (node.leaf() ? leaves : interior).add(node);
            }
        }
        int count = interior.size();
        long[] features = new long[count];
        int[] modes = new int[count];
        float[] splits = new float[count];
        long[] yes = new long[count];
        long[] no = new long[count];
        long[] yesLeaf = new long[count];
        long[] noLeaf = new long[count];
        long[] tracks = new long[count];
        for (int i = 0; i < count; i++) {
            TreeNode node = interior.get(i);
            features[i] = node.feature();
            modes[i] = node.mode();
            splits[i] = node.threshold();
            yesLeaf[i] = node.yes().leaf() ? 1 : 0;
            noLeaf[i] = node.no().leaf() ? 1 : 0;
            yes[i] = node.yes().leaf() ? indexOf(leaves, node.yes()) : indexOf(interior, node.yes());
            no[i] = node.no().leaf() ? indexOf(leaves, node.no()) : indexOf(interior, node.no());
            tracks[i] = node.tracksNan() ? 1 : 0;
        }
        long[] leafTargets = new long[leaves.size()];
        float[] leafWeights = new float[leaves.size()];
        for (int l = 0; l < leafTargets.length; l++) {
            leafTargets[l] = leaves.get(l).targets()[0];
            leafWeights[l] = leaves.get(l).weights()[0];
        }
        n.attrInts("nodes_featureids", features)
                .attr("nodes_modes", Tensor.of(modes, count).convertTo(ElementType.U8))
                .attr("nodes_splits", Tensor.of(splits, count))
                .attrInts("nodes_truenodeids", yes).attrInts("nodes_trueleafs", yesLeaf)
                .attrInts("nodes_falsenodeids", no).attrInts("nodes_falseleafs", noLeaf)
                .attrInts("nodes_missing_value_tracks_true", tracks).attrInts("tree_roots", longs(roots))
                .attrInts("leaf_targetids", leafTargets).attr("leaf_weights", Tensor.of(leafWeights, leafWeights.length))
                .attr("n_targets", (long) targets);
    }

    /** Identity, not equality: two leaves may have the same votes. */
    private static int indexOf(List<TreeNode> list, TreeNode node) {
        for (int i = 0; i < list.size(); i++) {
            if (list.get(i) == node) {
                return i;
            }
        }
        throw new IllegalStateException("not found");
    }

    private static void flatten(TreeNode node, List<TreeNode> out) {
        out.add(node);
        if (!node.leaf()) {
            flatten(node.yes(), out);
            flatten(node.no(), out);
        }
    }

    private static long[] longs(List<Long> values) {
        return values.stream().mapToLong(Long::longValue).toArray();
    }

    private static float[] floats(List<Float> values) {
        float[] f = new float[values.size()];
        for (int i = 0; i < f.length; i++) {
            f[i] = values.get(i);
        }
        return f;
    }

    @Test
    void treeEnsembleRegressorMatchesOrtForEveryAggregateAndPostTransform() throws Exception {
        String[][] variants = {{"SUM", "NONE"}, {"AVERAGE", "NONE"}, {"MIN", "NONE"}, {"MAX", "NONE"},
            {"SUM", "LOGISTIC"}, {"SUM", "SOFTMAX"}, {"AVERAGE", "SOFTMAX_ZERO"}};
        for (String[] v : variants) {
            int targets = 3;
            List<TreeNode> trees = new ArrayList<>();
            for (int t = 0; t < 6; t++) {
                trees.add(tree(4, targets, false, true));
            }
            Tensor x = features(40);
            check("regressor_" + v[0] + "_" + v[1], x, ElementType.F32, 3, 1e-5, b -> regressor(b.node(
                    "TreeEnsembleRegressor", "trees").inputs("x").outputs("y").domain(ML, 3)
                    .attr("aggregate_function", v[0]).attr("post_transform", v[1])
                    .attrFloats("base_values", 0.25f, -1, 0.5f), trees, targets));
        }
    }

    /**
     * Without one-leaf trees: ONNX Runtime 1.24.1's TreeEnsemble-5 adds a one-leaf tree's weight once more when it
     * follows another tree (its TreeEnsembleRegressor form of the same forest does not, and Infero gives that
     * result for both forms, as the specification and the ONNX reference define them).
     */
    @Test
    void treeEnsembleFiveMatchesOrt() throws Exception {
        for (long aggregate = 0; aggregate < 4; aggregate++) {
            int targets = 2;
            List<TreeNode> trees = new ArrayList<>();
            for (int t = 0; t < 5; t++) {
                trees.add(tree(4, targets, true, false));
            }
            long a = aggregate;
            check("ensemble_" + aggregate, features(40), ElementType.F32, 5, 1e-5, b -> ensemble(b.node(
                    "TreeEnsemble", "trees").inputs("x").outputs("y").domain(ML, 5).attr("aggregate_function", a),
                    trees, targets));
        }
    }

    @Test
    void binarizerArrayFeatureExtractorAndLabelEncoderMatchOrt() throws Exception {
        Tensor noNan = features(4);
        for (int i = 0; i < noNan.size(); i++) {
            noNan.floats()[i] = Float.isNaN(noNan.floats()[i]) ? 1.5f : noNan.floats()[i]; // ONNX Runtime refuses NaN
        }
        check("binarizer", noNan, ElementType.F32, 1, 0, b -> b.node("Binarizer", "bin").inputs("x")
                .outputs("y").domain(ML, 1).attr("threshold", 0.5f));
        check("array_feature_extractor", features(4), ElementType.F32, 1, 0, b -> {
            b.initializer("columns", Tensor.of(new long[] {4, 0, 4}, 3));
            b.node("ArrayFeatureExtractor", "afe").inputs("x", "columns").outputs("y").domain(ML, 1);
        });
        check("label_encoder", features(4), ElementType.I64, 2, 0, b -> b.node("LabelEncoder", "le").inputs("x")
                .outputs("y").domain(ML, 2).attrFloats("keys_floats", -1, 0, 0.5f, 2)
                .attrInts("values_int64s", 10, 20, 30, 40).attr("default_int64", 7L));
    }

    @Test
    void tfIdfVectorizerMatchesOrt() throws Exception {
        Tensor tokens = Tensor.allocate(ElementType.I64, 3, 12);
        for (int i = 0; i < tokens.size(); i++) {
            tokens.setLong(i, random.nextInt(6));
        }
        // 1-grams 0..3, 2-grams (0,1) (1,2) (2,2) (5,0), 3-gram (0,1,2)
        long[] pool = {0, 1, 2, 3, 0, 1, 1, 2, 2, 2, 5, 0, 0, 1, 2};
        long[] columns = {8, 7, 6, 5, 4, 3, 2, 1, 0};
        for (String mode : new String[] {"TF", "IDF", "TFIDF"}) {
            for (long skips : new long[] {0, 2}) {
                check("tfidf_" + mode + skips, tokens, ElementType.F32, 1, 1e-6, b -> b.node("TfIdfVectorizer", "tv")
                        .inputs("x").outputs("y").attr("mode", mode).attr("min_gram_length", 1L)
                        .attr("max_gram_length", 3L).attr("max_skip_count", skips).attrInts("pool_int64s", pool)
                        .attrInts("ngram_counts", 0, 4, 12).attrInts("ngram_indexes", columns)
                        .attrFloats("weights", 0.5f, 1, 1.5f, 2, 2.5f, 3, 3.5f, 4, 4.5f));
            }
        }
    }

    /** Builds the model (input x of x's type and shape, output y), runs it on Infero and ORT, compares. */
    private void check(String name, Tensor x, ElementType out, int mlOpset, double tolerance,
                       Consumer<OnnxModelBuilder> body) throws Exception {
        long[] dims = new long[x.rank()];
        for (int i = 0; i < dims.length; i++) {
            dims[i] = x.dim(i);
        }
        OnnxModelBuilder b = new OnnxModelBuilder(name, 17).input("x", x.type(), dims).output("y", out);
        body.accept(b);
        Path file = dir.resolve(name + ".onnx");
        b.write(file);
        try (Core core = new Core()) {
            Tensor ours = SingleRun.closing(core.compileModel(file, "CPU"), x);
            Tensor theirs = SingleRun.closing(core.compileModel(file, "ORT"), x);
            assertArrayEquals(theirs.shape(), ours.shape(), name + " shape");
            for (int i = 0; i < ours.size(); i++) {
                double o = ours.getDouble(i);
                double t = theirs.getDouble(i);
                int at = i;
                assertTrue(Math.abs(o - t) <= tolerance * Math.max(1, Math.abs(t)) || o == t,
                        () -> name + "[" + at + "]: Infero " + o + ", ONNX Runtime " + t);
            }
        }
    }

}
