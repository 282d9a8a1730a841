package dev.infero.onnx.ops;

import dev.infero.core.UnsupportedModelException;
import dev.infero.core.graph.Value;
import dev.infero.core.ops.eltwise.Convert;
import dev.infero.core.ops.logical.Greater;
import dev.infero.core.ops.ml.TreeEnsemble;
import dev.infero.core.ops.movement.Gather;
import dev.infero.core.ops.movement.Reshape;
import dev.infero.core.ops.movement.Unsqueeze;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.onnx.OnnxNode;
import dev.infero.onnx.OnnxTranslator;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The numeric operators of the {@code ai.onnx.ml} domain that scikit-learn exports (sklearn-onnx) use: tree ensembles
 * ({@code TreeEnsemble}-5 and the older {@code TreeEnsembleRegressor}, both as Infero's {@link TreeEnsemble}),
 * {@code Binarizer} ({@code x > threshold} in the type of {@code x}), {@code ArrayFeatureExtractor} (a Gather along
 * the last axis) and {@code LabelEncoder} between numeric keys and values (a lookup in its sorted keys). String
 * tensors, and with them the classifiers' string labels, are outside Infero.
 */
public final class MlOps {
    /** The domain of ONNX's classical machine-learning operators. */
    public static final String DOMAIN = "ai.onnx.ml";

    private MlOps() {
    }

    public static void register(Map<String, OnnxTranslator> r) {
        r.put("TreeEnsemble", n -> List.of(n.add(treeEnsemble(n), n.requireInput(0))));
        r.put("TreeEnsembleRegressor", n -> List.of(treeEnsembleRegressor(n)));
        r.put("LabelEncoder", n -> List.of(labelEncoder(n)));
        r.put("Binarizer", n -> {
            Value x = n.requireInput(0);
            Tensor threshold = Tensor.allocate(x.type());
            threshold.setDouble(0, n.attrFloat("threshold", 0f));
            return List.of(n.add(new Convert(x.type()), n.add(new Greater(), x, n.constant(threshold))));
        });
        r.put("ArrayFeatureExtractor", n -> {
            Value x = n.requireInput(0);
            if (!x.shape().hasRank()) {
                throw new UnsupportedModelException(n.error("needs X of known rank").getMessage());
            }
            Value indices = n.add(new Reshape(false), n.requireInput(1), n.constant(Tensor.vector(-1)));
            Value y = n.add(new Gather(0), x, indices, n.constant(Tensor.scalar(-1L)));
            // ONNX Runtime (and the ONNX reference) make the features of a 1-D X one row.
            return List.of(x.shape().rank() == 1 ? n.add(new Unsqueeze(), y, n.constant(Tensor.vector(0))) : y);
        });
    }

    /**
     * {@code LabelEncoder}-2/4 between numeric keys and values ({@code keys_int64s}/{@code keys_floats}/
     * {@code keys_tensor} to {@code values_int64s}/{@code values_floats}/{@code values_tensor}, {@code default_*}):
     * each element of X compared with every key ({@code Equal} against the keys along a new last axis), the value of
     * the matching key gathered, the default where none matches. A key given twice maps to its last value, as in the
     * ONNX reference's dictionary. String keys or values (and LabelEncoder-1) need string tensors, which Infero lacks.
     */
    private static Value labelEncoder(OnnxNode n) {
        Value x = n.requireInput(0);
        Tensor keys = n.has("keys_tensor") ? n.attrTensor("keys_tensor") : n.has("keys_int64s")
                ? Tensor.of(n.attrInts("keys_int64s", null), n.attrInts("keys_int64s", null).length)
                : n.has("keys_floats") ? Tensor.of(n.attrFloats("keys_floats", null),
                n.attrFloats("keys_floats", null).length) : null;
        Tensor values = n.has("values_tensor") ? n.attrTensor("values_tensor") : n.has("values_int64s")
                ? Tensor.of(n.attrInts("values_int64s", null), n.attrInts("values_int64s", null).length)
                : n.has("values_floats") ? Tensor.of(n.attrFloats("values_floats", null),
                n.attrFloats("values_floats", null).length) : null;
        if (keys == null || values == null) {
            throw new UnsupportedModelException(n.error("maps strings (keys_strings, values_strings or "
                    + "classes_strings), and Infero has no string tensors").getMessage());
        }
        if (keys.size() != values.size() || keys.size() == 0) {
            throw n.error(keys.size() + " keys and " + values.size() + " values; they must pair up, at least one");
        }
        if (keys.type() != x.type()) {
            throw n.error("keys of type " + keys.type() + " for X of type " + x.type());
        }
        // The last value of a repeated key wins; keys as the doubles of their type (exact for i64 up to 2^53).
        java.util.LinkedHashMap<Double, Integer> last = new java.util.LinkedHashMap<>();
        for (int i = 0; i < keys.size(); i++) {
            last.remove(keys.getDouble(i));
            last.put(keys.getDouble(i), i);
        }
        int[] picked = last.values().stream().mapToInt(Integer::intValue).toArray();
        Tensor k = Tensor.allocate(keys.type(), picked.length);
        Tensor v = Tensor.allocate(values.type(), picked.length);
        for (int i = 0; i < picked.length; i++) {
            if (keys.type().isFloating()) {
                k.setDouble(i, keys.getDouble(picked[i]));
            } else {
                k.setLong(i, keys.getLong(picked[i]));
            }
            if (values.type().isFloating()) {
                v.setDouble(i, values.getDouble(picked[i]));
            } else {
                v.setLong(i, values.getLong(picked[i]));
            }
        }
        Tensor fallback = Tensor.allocate(values.type());
        Tensor given = n.attrTensor("default_tensor");
        if (given != null) {
            if (given.size() != 1 || given.type() != values.type()) {
                throw n.error("default_tensor must be one " + values.type() + " value, got " + given.describe());
            }
            given.copyTo(fallback);
        } else if (values.type().isFloating()) {
            fallback.setDouble(0, n.attrFloat("default_float", -0.0f));
        } else {
            fallback.setLong(0, n.attrInt("default_int64", -1));
        }
        Value last1 = n.constant(Tensor.vector(-1));
        Value matches = n.call("Equal", List.of(n.call("Unsqueeze", List.of(x, last1)), n.constant(k)));
        Value asInt = n.call("Cast", List.of(matches), "to", 6L);
        Value index = n.call("ArgMax", List.of(asInt), "axis", -1L, "keepdims", 0L);
        Value found = n.call("Cast", List.of(n.call("ReduceMax", List.of(asInt, last1), "keepdims", 0L)), "to", 9L);
        Value mapped = n.call("Gather", List.of(n.constant(v), index), "axis", 0L);
        return n.call("Where", List.of(found, mapped, n.constant(fallback)));
    }

    /** {@code TreeEnsemble}-5: interior nodes and one-vote leaves, as the op takes them. */
    private static TreeEnsemble treeEnsemble(OnnxNode n) {
        long[] features = required(n, "nodes_featureids");
        int count = features.length;
        Tensor modeTensor = n.attrTensor("nodes_modes");
        Tensor splitTensor = n.attrTensor("nodes_splits");
        Tensor weights = n.attrTensor("leaf_weights");
        if (modeTensor == null || splitTensor == null || weights == null) {
            throw n.error("attributes nodes_modes, nodes_splits and leaf_weights are required");
        }
        TreeEnsemble.Mode[] modes = new TreeEnsemble.Mode[modeTensor.size()];
        for (int i = 0; i < modes.length; i++) {
            long m = modeTensor.getLong(i);
            if (m < 0 || m >= TreeEnsemble.Mode.values().length) {
                throw n.error("nodes_modes[" + i + "] is " + m + ", not a mode 0 (BRANCH_LEQ) to 6 (BRANCH_MEMBER)");
            }
            modes[i] = TreeEnsemble.Mode.values()[(int) m];
        }
        long[] trueIds = required(n, "nodes_truenodeids");
        long[] falseIds = required(n, "nodes_falsenodeids");
        long[] trueLeafs = required(n, "nodes_trueleafs");
        long[] falseLeafs = required(n, "nodes_falseleafs");
        if (trueIds.length != count || falseIds.length != count || trueLeafs.length != count
                || falseLeafs.length != count) {
            throw n.error("nodes_truenodeids, nodes_falsenodeids, nodes_trueleafs and nodes_falseleafs must have the "
                    + count + " entries of nodes_featureids");
        }
        int[] trueChildren = new int[count];
        int[] falseChildren = new int[count];
        for (int i = 0; i < count; i++) {
            trueChildren[i] = child(n, trueIds[i], trueLeafs[i] != 0);
            falseChildren[i] = child(n, falseIds[i], falseLeafs[i] != 0);
        }
        long[] targets = required(n, "leaf_targetids");
        int[] leafStarts = new int[targets.length + 1];
        Arrays.setAll(leafStarts, i -> i);
        int nTargets = (int) n.attrInt("n_targets", Arrays.stream(targets).max().orElse(0) + 1);
        Tensor membership = n.attrTensor("membership_values");
        TreeEnsemble.Forest forest = new TreeEnsemble.Forest(features, modes, doubles(splitTensor), trueChildren,
                falseChildren, flags(n, "nodes_missing_value_tracks_true", count),
                membership == null ? new double[0] : doubles(membership),
                Arrays.stream(required(n, "tree_roots")).mapToInt(Math::toIntExact).toArray(), leafStarts,
                Arrays.stream(targets).mapToInt(Math::toIntExact).toArray(), doubles(weights));
        return new TreeEnsemble(forest, nTargets, enumAt(n, TreeEnsemble.Aggregate.class, "aggregate_function", 1),
                enumAt(n, TreeEnsemble.PostTransform.class, "post_transform", 0), new double[0]);
    }

    /**
     * {@code TreeEnsembleRegressor}-1/3: nodes named by (tree id, node id) with LEAF nodes among them, votes by
     * (tree id, node id); each tree's root is its first node. Non-f32 inputs are computed in f64; the output is f32.
     */
    private static Value treeEnsembleRegressor(OnnxNode n) {
        long[] treeIds = required(n, "nodes_treeids");
        long[] nodeIds = required(n, "nodes_nodeids");
        long[] features = required(n, "nodes_featureids");
        List<String> modeNames = n.attrStrings("nodes_modes");
        long[] trueIds = required(n, "nodes_truenodeids");
        long[] falseIds = required(n, "nodes_falsenodeids");
        double[] values = n.has("nodes_values_as_tensor") ? doubles(n.attrTensor("nodes_values_as_tensor"))
                : toDoubles(n.attrFloats("nodes_values", new float[0]));
        int count = treeIds.length;
        if (nodeIds.length != count || features.length != count || modeNames.size() != count
                || trueIds.length != count || falseIds.length != count || values.length != count) {
            throw n.error("the nodes_* attributes must all have the " + count + " entries of nodes_treeids");
        }
        boolean[] missing = flags(n, "nodes_missing_value_tracks_true", count);
        // Positions of the nodes by (tree, node id); interior nodes and leaves numbered apart, in order.
        Map<List<Long>, Integer> position = new HashMap<>();
        int[] index = new int[count];
        int interior = 0;
        int leaves = 0;
        TreeMap<Long, Integer> roots = new TreeMap<>();
        for (int i = 0; i < count; i++) {
            if (position.put(List.of(treeIds[i], nodeIds[i]), i) != null) {
                throw n.error("node " + nodeIds[i] + " of tree " + treeIds[i] + " is defined twice");
            }
            roots.putIfAbsent(treeIds[i], i);
            index[i] = modeNames.get(i).equals("LEAF") ? -1 - leaves++ : interior++;
        }
        long[] nodeFeatures = new long[interior];
        TreeEnsemble.Mode[] modes = new TreeEnsemble.Mode[interior];
        double[] splits = new double[interior];
        int[] trueChildren = new int[interior];
        int[] falseChildren = new int[interior];
        boolean[] tracks = new boolean[interior];
        for (int i = 0; i < count; i++) {
            int k = index[i];
            if (k < 0) {
                continue;
            }
            nodeFeatures[k] = features[i];
            modes[k] = branchMode(n, modeNames.get(i));
            splits[k] = values[i];
            trueChildren[k] = index[resolve(n, position, treeIds[i], trueIds[i])];
            falseChildren[k] = index[resolve(n, position, treeIds[i], falseIds[i])];
            tracks[k] = missing[i];
        }
        long[] voteTrees = required(n, "target_treeids");
        long[] voteNodes = required(n, "target_nodeids");
        long[] voteTargets = required(n, "target_ids");
        double[] voteWeights = n.has("target_weights_as_tensor") ? doubles(n.attrTensor("target_weights_as_tensor"))
                : toDoubles(n.attrFloats("target_weights", new float[0]));
        int votes = voteTrees.length;
        if (voteNodes.length != votes || voteTargets.length != votes || voteWeights.length != votes) {
            throw n.error("the target_* attributes must all have the " + votes + " entries of target_treeids");
        }
        List<List<Integer>> byLeaf = new ArrayList<>();
        for (int l = 0; l < leaves; l++) {
            byLeaf.add(new ArrayList<>());
        }
        for (int v = 0; v < votes; v++) {
            int k = index[resolve(n, position, voteTrees[v], voteNodes[v])];
            if (k >= 0) {
                throw n.error("target " + v + " votes at node " + voteNodes[v] + " of tree " + voteTrees[v]
                        + ", which is not a LEAF");
            }
            byLeaf.get(-1 - k).add(v);
        }
        int[] leafStarts = new int[leaves + 1];
        int[] leafTargets = new int[votes];
        double[] leafWeights = new double[votes];
        int at = 0;
        for (int l = 0; l < leaves; l++) {
            leafStarts[l] = at;
            for (int v : byLeaf.get(l)) {
                leafTargets[at] = Math.toIntExact(voteTargets[v]);
                leafWeights[at++] = voteWeights[v];
            }
        }
        leafStarts[leaves] = at;
        int[] rootIndex = roots.values().stream().mapToInt(i -> index[i]).toArray();
        double[] base = n.has("base_values_as_tensor") ? doubles(n.attrTensor("base_values_as_tensor"))
                : toDoubles(n.attrFloats("base_values", new float[0]));
        TreeEnsemble.Forest forest = new TreeEnsemble.Forest(nodeFeatures, modes, splits, trueChildren,
                falseChildren, tracks, new double[0], rootIndex, leafStarts, leafTargets, leafWeights);
        TreeEnsemble op = new TreeEnsemble(forest, (int) n.attrInt("n_targets", 1),
                named(n, TreeEnsemble.Aggregate.class, "aggregate_function", "SUM"),
                named(n, TreeEnsemble.PostTransform.class, "post_transform", "NONE"), base);
        Value x = n.requireInput(0);
        if (x.type() == ElementType.F32) {
            return n.add(op, x);
        }
        return n.add(new Convert(ElementType.F32), n.add(op, n.add(new Convert(ElementType.F64), x)));
    }

    private static TreeEnsemble.Mode branchMode(OnnxNode n, String name) {
        return switch (name) {
            case "BRANCH_LEQ" -> TreeEnsemble.Mode.LEQ;
            case "BRANCH_LT" -> TreeEnsemble.Mode.LT;
            case "BRANCH_GTE" -> TreeEnsemble.Mode.GTE;
            case "BRANCH_GT" -> TreeEnsemble.Mode.GT;
            case "BRANCH_EQ" -> TreeEnsemble.Mode.EQ;
            case "BRANCH_NEQ" -> TreeEnsemble.Mode.NEQ;
            default -> throw n.error("nodes_modes holds '" + name + "', not one of BRANCH_LEQ, BRANCH_LT, "
                    + "BRANCH_GTE, BRANCH_GT, BRANCH_EQ, BRANCH_NEQ, LEAF");
        };
    }

    private static int resolve(OnnxNode n, Map<List<Long>, Integer> position, long tree, long node) {
        Integer p = position.get(List.of(tree, node));
        if (p == null) {
            throw n.error("tree " + tree + " has no node " + node);
        }
        return p;
    }

    private static int child(OnnxNode n, long id, boolean leaf) {
        if (id < 0 || id > Integer.MAX_VALUE) {
            throw n.error("child " + (leaf ? "leaf " : "node ") + id + " is out of range");
        }
        return leaf ? -1 - (int) id : (int) id;
    }

    private static long[] required(OnnxNode n, String name) {
        long[] v = n.attrInts(name, null);
        if (v == null) {
            throw n.error("attribute " + name + " is required");
        }
        return v;
    }

    private static boolean[] flags(OnnxNode n, String name, int count) {
        long[] v = n.attrInts(name, null);
        boolean[] b = new boolean[count];
        if (v == null) {
            return b;
        }
        if (v.length != count) {
            throw n.error("attribute " + name + " has " + v.length + " entries, not " + count);
        }
        for (int i = 0; i < count; i++) {
            b[i] = v[i] != 0;
        }
        return b;
    }

    private static double[] doubles(Tensor t) {
        double[] d = new double[t.size()];
        for (int i = 0; i < d.length; i++) {
            d[i] = t.getDouble(i);
        }
        return d;
    }

    private static double[] toDoubles(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < d.length; i++) {
            d[i] = f[i];
        }
        return d;
    }

    /** An enum attribute written as its number (TreeEnsemble-5). */
    private static <E extends Enum<E>> E enumAt(OnnxNode n, Class<E> type, String name, long defaultValue) {
        long v = n.attrInt(name, defaultValue);
        E[] all = type.getEnumConstants();
        if (v < 0 || v >= all.length) {
            throw n.error("attribute " + name + " is " + v + ", not one of 0-" + (all.length - 1) + " "
                    + Arrays.toString(all));
        }
        return all[(int) v];
    }

    /** An enum attribute written as its name (the older tree ensembles). */
    private static <E extends Enum<E>> E named(OnnxNode n, Class<E> type, String name, String defaultValue) {
        String v = n.attrString(name, defaultValue);
        try {
            return Enum.valueOf(type, v.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw n.error("attribute " + name + " is '" + v + "', not one of " + Arrays.toString(type.getEnumConstants()));
        }
    }
}
