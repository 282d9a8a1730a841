package dev.infero.core.ops.ml;

import dev.infero.core.InferoException;
import dev.infero.core.InvalidModelException;
import dev.infero.core.op.Attribute;
import dev.infero.core.op.AttributeSource;
import dev.infero.core.op.InferContext;
import dev.infero.core.op.Op;
import dev.infero.core.op.OpSpec;
import dev.infero.core.ops.eltwise.SpecialFunctions;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.PartialShape;
import java.util.Arrays;

/**
 * A forest of decision trees over the rows of {@code X} ({@code [N, F]}, floating point) giving {@code [N, n_targets]}
 * in the type of {@code X}: the semantics of ONNX {@code ai.onnx.ml} {@code TreeEnsemble}-5, in a form that also holds
 * the older {@code TreeEnsembleRegressor} (several weighted votes per leaf, base values).
 *
 * <p>Each interior node {@code i} compares feature {@code features[i]} of the row with {@code splits[i]} by
 * {@code modes[i]} ({@link Mode}; a {@link Mode#MEMBER} node tests membership of its set, the sets being
 * {@code membership} cut at its NaNs, in the order of the MEMBER nodes); a NaN feature takes the true branch only where
 * {@code missingTracksTrue[i]} is set (and otherwise wherever the comparison holds for NaN, that is for NEQ). A
 * child or a root {@code c >= 0} is interior node {@code c}; {@code c < 0} is leaf {@code -1 - c}. Leaf {@code l}
 * votes {@code leafWeights[v]} for target {@code leafTargets[v]}, for {@code v} in
 * {@code [leafStarts[l], leafStarts[l + 1])}. Each row's votes of every tree are aggregated per target
 * ({@link Aggregate}; AVERAGE divides the sum by the number of trees), {@code baseValues} (empty, or one per target)
 * added, and {@link PostTransform} applied across the targets of the row. A target no leaf of the row voted for scores
 * 0, without its base value, before the post transform, as ONNX Runtime computes it (the ONNX reference adds the
 * base value to 0 under SUM and AVERAGE and leaves the type's extreme under MIN and MAX; trees that vote for every
 * target, as scikit-learn's do, never meet the difference). Computed in double.
 *
 * <p>Infero-specific (version "infero"): OpenVINO has no tree ensemble op.
 */
public final class TreeEnsemble extends Op {
    /** The comparison of an interior node, numbered as ONNX's {@code nodes_modes}. */
    public enum Mode { LEQ, LT, GTE, GT, EQ, NEQ, MEMBER }

    /** How the votes of the trees are combined per target, numbered as ONNX's {@code aggregate_function}. */
    public enum Aggregate { AVERAGE, SUM, MIN, MAX }

    /** The transform of each row's scores, numbered as ONNX's {@code post_transform}. */
    public enum PostTransform { NONE, SOFTMAX, LOGISTIC, SOFTMAX_ZERO, PROBIT }

    /** The trees: interior nodes, roots and leaves, as described on the class. */
    public record Forest(long[] features, Mode[] modes, double[] splits, int[] trueChildren, int[] falseChildren,
                         boolean[] missingTracksTrue, double[] membership, int[] roots, int[] leafStarts,
                         int[] leafTargets, double[] leafWeights) {
        public int nodeCount() {
            return features.length;
        }

        public int leafCount() {
            return leafStarts.length - 1;
        }
    }

    private static final Attribute<TreeEnsemble, Long> N_TARGETS = Attribute.integer("n_targets",
            t -> (long) t.nTargets);
    private static final Attribute<TreeEnsemble, Aggregate> AGGREGATE = Attribute.<TreeEnsemble, Aggregate>enumValue(
            "aggregate_function", Aggregate.class, t -> t.aggregate).orElse(Aggregate.SUM);
    private static final Attribute<TreeEnsemble, PostTransform> POST_TRANSFORM =
            Attribute.<TreeEnsemble, PostTransform>enumValue("post_transform", PostTransform.class,
                    t -> t.postTransform).orElse(PostTransform.NONE);
    private static final Attribute<TreeEnsemble, double[]> BASE_VALUES = Attribute.doubles("base_values",
            t -> t.baseValues);
    private static final Attribute<TreeEnsemble, long[]> FEATURE_IDS = Attribute.integers("nodes_featureids",
            t -> t.forest.features());
    /** Each node's {@link Mode} as its number 0-6 (ONNX's numbering). */
    private static final Attribute<TreeEnsemble, long[]> MODES = Attribute.integers("nodes_modes",
            t -> Arrays.stream(t.forest.modes()).mapToLong(Enum::ordinal).toArray());
    private static final Attribute<TreeEnsemble, double[]> SPLITS = Attribute.doubles("nodes_splits",
            t -> t.forest.splits());
    private static final Attribute<TreeEnsemble, long[]> TRUE_CHILDREN = Attribute.integers("nodes_true_children",
            t -> longs(t.forest.trueChildren()));
    private static final Attribute<TreeEnsemble, long[]> FALSE_CHILDREN = Attribute.integers("nodes_false_children",
            t -> longs(t.forest.falseChildren()));
    /** 1 where a missing value takes the true branch. */
    private static final Attribute<TreeEnsemble, long[]> MISSING_TRACKS_TRUE = Attribute.integers(
            "nodes_missing_value_tracks_true", t -> {
                long[] missing = new long[t.forest.nodeCount()];
                for (int i = 0; i < missing.length; i++) {
                    missing[i] = t.forest.missingTracksTrue()[i] ? 1 : 0;
                }
                return missing;
            });
    private static final Attribute<TreeEnsemble, double[]> MEMBERSHIP = Attribute.doubles("membership_values",
            t -> t.forest.membership());
    private static final Attribute<TreeEnsemble, long[]> ROOTS = Attribute.integers("tree_roots",
            t -> longs(t.forest.roots()));
    private static final Attribute<TreeEnsemble, long[]> LEAF_STARTS = Attribute.integers("leaf_starts",
            t -> longs(t.forest.leafStarts()));
    private static final Attribute<TreeEnsemble, long[]> LEAF_TARGETS = Attribute.integers("leaf_targetids",
            t -> longs(t.forest.leafTargets()));
    private static final Attribute<TreeEnsemble, double[]> LEAF_WEIGHTS = Attribute.doubles("leaf_weights",
            t -> t.forest.leafWeights());
    public static final OpSpec<TreeEnsemble> SPEC = OpSpec.of(TreeEnsemble.class, "TreeEnsemble", "infero",
            TreeEnsemble::read, N_TARGETS, AGGREGATE, POST_TRANSFORM, BASE_VALUES, FEATURE_IDS, MODES, SPLITS,
            TRUE_CHILDREN, FALSE_CHILDREN, MISSING_TRACKS_TRUE, MEMBERSHIP, ROOTS, LEAF_STARTS, LEAF_TARGETS,
            LEAF_WEIGHTS);

    private final Forest forest;
    private final int nTargets;
    private final Aggregate aggregate;
    private final PostTransform postTransform;
    private final double[] baseValues;
    /** Per MEMBER node its set, sorted; {@code null} for the other nodes. */
    private final double[][] sets;
    private final long maxFeature;

    public TreeEnsemble(Forest forest, int nTargets, Aggregate aggregate, PostTransform postTransform,
                        double[] baseValues) {
        this.forest = forest;
        this.nTargets = nTargets;
        this.aggregate = aggregate;
        this.postTransform = postTransform;
        this.baseValues = baseValues.clone();
        this.sets = validate();
        this.maxFeature = Arrays.stream(forest.features).max().orElse(-1);
    }

    public Forest forest() {
        return forest;
    }

    public int targets() {
        return nTargets;
    }

    public Aggregate aggregate() {
        return aggregate;
    }

    public PostTransform postTransform() {
        return postTransform;
    }

    public double[] baseValues() {
        return baseValues.clone();
    }

    private static InferoException invalid(String message) {
        return new InvalidModelException("TreeEnsemble: " + message);
    }

    /** Checks every length, reference and vote, that the trees have no cycle, and cuts the membership sets. */
    private double[][] validate() {
        Forest f = forest;
        int n = f.nodeCount();
        if (nTargets <= 0) {
            throw invalid("n_targets must be positive, got " + nTargets);
        }
        if (f.modes.length != n || f.splits.length != n || f.trueChildren.length != n || f.falseChildren.length != n
                || f.missingTracksTrue.length != n) {
            throw invalid("the node attributes differ in length: " + n + " feature ids, " + f.modes.length
                    + " modes, " + f.splits.length + " splits, " + f.trueChildren.length + " true and "
                    + f.falseChildren.length + " false children, " + f.missingTracksTrue.length
                    + " missing-value flags");
        }
        if (f.leafStarts.length == 0 || f.leafStarts[0] != 0 || f.leafStarts[f.leafStarts.length - 1]
                != f.leafTargets.length || f.leafTargets.length != f.leafWeights.length) {
            throw invalid("the leaf votes are inconsistent: " + f.leafTargets.length + " target ids and "
                    + f.leafWeights.length + " weights");
        }
        for (int l = 0; l < f.leafCount(); l++) {
            if (f.leafStarts[l + 1] < f.leafStarts[l]) {
                throw invalid("leaf " + l + " has a negative number of votes");
            }
        }
        for (int v = 0; v < f.leafTargets.length; v++) {
            if (f.leafTargets[v] < 0 || f.leafTargets[v] >= nTargets) {
                throw invalid("leaf vote " + v + " is for target " + f.leafTargets[v] + ", outside [0, " + nTargets
                        + ")");
            }
        }
        if (baseValues.length != 0 && baseValues.length != nTargets) {
            throw invalid(baseValues.length + " base values for " + nTargets + " targets");
        }
        if (f.roots.length == 0) {
            throw invalid("there are no trees");
        }
        for (int i = 0; i < n; i++) {
            if (f.features[i] < 0) {
                throw invalid("node " + i + " reads feature " + f.features[i]);
            }
            checkChild(f.trueChildren[i], "true child of node " + i);
            checkChild(f.falseChildren[i], "false child of node " + i);
        }
        for (int r = 0; r < f.roots.length; r++) {
            checkChild(f.roots[r], "root of tree " + r);
        }
        checkAcyclic();
        double[][] result = new double[n][];
        int at = 0;
        for (int i = 0; i < n; i++) {
            if (f.modes[i] != Mode.MEMBER) {
                continue;
            }
            int end = at;
            while (end < f.membership.length && !Double.isNaN(f.membership[end])) {
                end++;
            }
            if (end >= f.membership.length) {
                throw invalid("membership_values has no NaN-ended set for set-membership node " + i);
            }
            result[i] = Arrays.copyOfRange(f.membership, at, end);
            Arrays.sort(result[i]);
            at = end + 1;
        }
        if (at != f.membership.length) {
            throw invalid("membership_values holds more sets than there are set-membership nodes");
        }
        return result;
    }

    private void checkChild(int c, String what) {
        if (c >= forest.nodeCount() || c < -forest.leafCount()) {
            throw invalid("the " + what + " is " + (c >= 0 ? "node " + c : "leaf " + (-1 - c)) + ", beyond the "
                    + forest.nodeCount() + " nodes and " + forest.leafCount() + " leaves");
        }
    }

    /** Depth-first over the interior nodes: a node reached again while on the current path is a cycle. */
    private void checkAcyclic() {
        int n = forest.nodeCount();
        byte[] state = new byte[n]; // 0 unseen, 1 on the path, 2 done
        int[] stack = new int[n];
        int[] next = new int[n]; // 0: visit true child, 1: false child, 2: done
        for (int root : forest.roots) {
            if (root < 0 || state[root] == 2) {
                continue;
            }
            int depth = 0;
            stack[0] = root;
            next[root] = 0;
            state[root] = 1;
            while (depth >= 0) {
                int node = stack[depth];
                if (next[node] == 2) {
                    state[node] = 2;
                    depth--;
                    continue;
                }
                int child = next[node] == 0 ? forest.trueChildren[node] : forest.falseChildren[node];
                next[node]++;
                if (child < 0 || state[child] == 2) {
                    continue;
                }
                if (state[child] == 1) {
                    throw invalid("node " + child + " is its own descendant (the trees have a cycle)");
                }
                state[child] = 1;
                next[child] = 0;
                stack[++depth] = child;
            }
        }
    }

    /** The IR factory: the forest from its declared attributes; a node mode outside 0-6 names the attribute. */
    private static TreeEnsemble read(AttributeSource a) {
        Mode[] modes = Arrays.stream(MODES.read(a)).mapToObj(m -> {
            if (m < 0 || m >= Mode.values().length) {
                throw a.error("attribute nodes_modes holds " + m + ", not a mode 0-6");
            }
            return Mode.values()[(int) m];
        }).toArray(Mode[]::new);
        long[] missing = MISSING_TRACKS_TRUE.read(a);
        boolean[] tracks = new boolean[missing.length];
        for (int i = 0; i < tracks.length; i++) {
            tracks[i] = missing[i] != 0;
        }
        Forest forest = new Forest(FEATURE_IDS.read(a), modes, SPLITS.read(a), ints(TRUE_CHILDREN.read(a)),
                ints(FALSE_CHILDREN.read(a)), tracks, MEMBERSHIP.read(a), ints(ROOTS.read(a)),
                ints(LEAF_STARTS.read(a)), ints(LEAF_TARGETS.read(a)), LEAF_WEIGHTS.read(a));
        return new TreeEnsemble(forest, Math.toIntExact(N_TARGETS.read(a)), AGGREGATE.read(a), POST_TRANSFORM.read(a),
                BASE_VALUES.read(a));
    }

    private static long[] longs(int[] values) {
        return Arrays.stream(values).asLongStream().toArray();
    }

    private static int[] ints(long[] values) {
        return Arrays.stream(values).mapToInt(Math::toIntExact).toArray();
    }

    @Override
    public void infer(InferContext ctx) {
        if (!ctx.inputType(0).isFloating()) {
            throw ctx.error("X must be floating point, got " + ctx.inputType(0));
        }
        PartialShape x = ctx.inputShape(0);
        if (x.hasRank() && x.rank() != 2) {
            throw ctx.error("X must be [N, F], got " + x);
        }
        if (x.hasRank() && !x.isDynamic(1) && maxFeature >= x.dim(1)) {
            throw ctx.error("a node reads feature " + maxFeature + " of rows with " + x.dim(1) + " features");
        }
        int rows = x.hasRank() ? x.dim(0) : PartialShape.DYNAMIC;
        ctx.setOutput(0, ctx.inputType(0), PartialShape.of(rows, nTargets));
    }

    @Override
    public void evaluate(Tensor[] inputs, Tensor[] outputs) {
        Tensor x = inputs[0];
        Tensor y = outputs[0];
        int rows = x.dim(0);
        int features = x.dim(1);
        if (maxFeature >= features) {
            throw new InferoException("TreeEnsemble: a node reads feature " + maxFeature + " of rows with " + features
                    + " features");
        }
        Forest f = forest;
        double[] scores = new double[nTargets];
        boolean[] voted = new boolean[nTargets];
        for (int r = 0; r < rows; r++) {
            Arrays.fill(scores, 0);
            Arrays.fill(voted, false);
            int base = r * features;
            for (int root : f.roots) {
                int c = root;
                while (c >= 0) {
                    double v = x.getDouble(base + (int) f.features[c]);
                    c = goesTrue(c, v) ? f.trueChildren[c] : f.falseChildren[c];
                }
                int leaf = -1 - c;
                for (int vote = f.leafStarts[leaf]; vote < f.leafStarts[leaf + 1]; vote++) {
                    int t = f.leafTargets[vote];
                    double w = f.leafWeights[vote];
                    scores[t] = switch (aggregate) {
                        case SUM, AVERAGE -> scores[t] + w;
                        case MIN -> voted[t] ? Math.min(scores[t], w) : w;
                        case MAX -> voted[t] ? Math.max(scores[t], w) : w;
                    };
                    voted[t] = true;
                }
            }
            for (int t = 0; t < nTargets; t++) {
                if (aggregate == Aggregate.AVERAGE) {
                    scores[t] /= f.roots.length;
                }
                if (baseValues.length > 0 && voted[t]) {
                    scores[t] += baseValues[t];
                }
            }
            transform(scores);
            for (int t = 0; t < nTargets; t++) {
                y.setDouble(r * nTargets + t, scores[t]);
            }
        }
    }

    private boolean goesTrue(int node, double v) {
        if (Double.isNaN(v) && forest.missingTracksTrue[node]) {
            return true;
        }
        double s = forest.splits[node];
        return switch (forest.modes[node]) {
            case LEQ -> v <= s;
            case LT -> v < s;
            case GTE -> v >= s;
            case GT -> v > s;
            case EQ -> v == s;
            case NEQ -> v != s;
            case MEMBER -> Arrays.binarySearch(sets[node], v) >= 0;
        };
    }

    /**
     * {@link PostTransform} on one row's scores, in place: SOFTMAX_ZERO is the softmax of the non-zero scores with the
     * zeros kept at 0, PROBIT the inverse of the standard normal distribution, √2·erf⁻¹(2p − 1).
     */
    private void transform(double[] s) {
        switch (postTransform) {
            case NONE -> {
            }
            case LOGISTIC -> {
                for (int i = 0; i < s.length; i++) {
                    s[i] = 1 / (1 + Math.exp(-s[i]));
                }
            }
            case SOFTMAX, SOFTMAX_ZERO -> {
                boolean zero = postTransform == PostTransform.SOFTMAX_ZERO;
                double max = Double.NEGATIVE_INFINITY;
                for (double v : s) {
                    max = Math.max(max, v);
                }
                double sum = 0;
                for (int i = 0; i < s.length; i++) {
                    s[i] = zero && s[i] == 0 ? 0 : Math.exp(s[i] - max);
                    sum += s[i];
                }
                for (int i = 0; i < s.length; i++) {
                    s[i] = sum == 0 ? 0 : s[i] / sum;
                }
            }
            case PROBIT -> {
                for (int i = 0; i < s.length; i++) {
                    s[i] = Math.sqrt(2) * inverseErf(2 * s[i] - 1);
                }
            }
        }
    }

    /** erf⁻¹ on (-1, 1) (±∞ at ±1, NaN outside): Winitzki's approximation refined by Newton steps on erf. */
    static double inverseErf(double y) {
        if (!(y > -1 && y < 1)) {
            return y == 1 ? Double.POSITIVE_INFINITY : y == -1 ? Double.NEGATIVE_INFINITY : Double.NaN;
        }
        double a = 0.147;
        double ln = Math.log((1 - y) * (1 + y));
        double t = 2 / (Math.PI * a) + ln / 2;
        double x = Math.copySign(Math.sqrt(Math.sqrt(t * t - ln / a) - t), y);
        for (int i = 0; i < 4; i++) {
            double err = SpecialFunctions.erf(x) - y;
            x -= err / (2 / Math.sqrt(Math.PI) * Math.exp(-x * x));
        }
        return x;
    }
}
