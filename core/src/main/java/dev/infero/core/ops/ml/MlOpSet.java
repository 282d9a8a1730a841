package dev.infero.core.ops.ml;

import dev.infero.core.op.AttributeSource;
import dev.infero.core.op.OpFactories;
import java.util.Arrays;

/** IR factories of the classical machine-learning ops of this package. */
public final class MlOpSet {
    private MlOpSet() {
    }

    public static void register(OpFactories r) {
        r.register("TreeEnsemble", OpFactories.INFERO_OPSET, MlOpSet::treeEnsemble);
        r.register("TfIdfVectorizer", OpFactories.INFERO_OPSET, a -> new TfIdfVectorizer(
                (int) a.integer("min_gram_length"), (int) a.integer("max_gram_length"),
                (int) a.integer("max_skip_count"), a.enumValue(TfIdfVectorizer.Mode.class, "mode", "tf"),
                a.integers("pool_int64s"), a.integers("ngram_counts"), a.integers("ngram_indexes"),
                a.numbers("weights")));
    }

    private static TreeEnsemble treeEnsemble(AttributeSource a) {
        TreeEnsemble.Mode[] modes = Arrays.stream(a.integers("nodes_modes")).mapToObj(m -> {
            if (m < 0 || m >= TreeEnsemble.Mode.values().length) {
                throw a.error("attribute nodes_modes holds " + m + ", not a mode 0-6");
            }
            return TreeEnsemble.Mode.values()[(int) m];
        }).toArray(TreeEnsemble.Mode[]::new);
        long[] missing = a.integers("nodes_missing_value_tracks_true");
        boolean[] tracks = new boolean[missing.length];
        for (int i = 0; i < tracks.length; i++) {
            tracks[i] = missing[i] != 0;
        }
        TreeEnsemble.Forest forest = new TreeEnsemble.Forest(a.integers("nodes_featureids"), modes,
                a.doubles("nodes_splits"), ints(a, "nodes_true_children"), ints(a, "nodes_false_children"), tracks,
                a.doubles("membership_values"), ints(a, "tree_roots"), ints(a, "leaf_starts"),
                ints(a, "leaf_targetids"), a.doubles("leaf_weights"));
        return new TreeEnsemble(forest, (int) a.integer("n_targets"),
                a.enumValue(TreeEnsemble.Aggregate.class, "aggregate_function", "sum"),
                a.enumValue(TreeEnsemble.PostTransform.class, "post_transform", "none"), a.doubles("base_values"));
    }

    private static int[] ints(AttributeSource a, String name) {
        return Arrays.stream(a.integers(name)).mapToInt(Math::toIntExact).toArray();
    }
}
