package dev.infero.core.ops.ml;

import static dev.infero.core.ops.OpHarness.assertRoundTrips;
import static dev.infero.core.ops.OpHarness.doubles;
import static dev.infero.core.ops.OpHarness.eval;
import static dev.infero.core.ops.OpHarness.infer;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infero.core.InferoException;
import dev.infero.core.InvalidModelException;
import dev.infero.core.ops.eltwise.SpecialFunctions;
import dev.infero.core.ops.ml.TreeEnsemble.Aggregate;
import dev.infero.core.ops.ml.TreeEnsemble.Forest;
import dev.infero.core.ops.ml.TreeEnsemble.Mode;
import dev.infero.core.ops.ml.TreeEnsemble.PostTransform;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.core.types.PartialShape;
import org.junit.jupiter.api.Test;

/** The tree walk, every comparison, aggregation and post transform, validation and the IR attributes. */
class TreeEnsembleTest {
    private static final double[] NONE = new double[0];

    /**
     * Two trees over 2 features. Tree 0: node 0 "x0 <= 1" → true: node 1 "x1 < 0" (true: leaf 0, false: leaf 1),
     * false: leaf 2. Tree 1 is leaf 3 alone. Leaf 0 votes 1 for target 0; leaf 1 votes 2 for target 0 and 10 for
     * target 1; leaf 2 votes 4 for target 1; leaf 3 votes 100 for target 0.
     */
    private static Forest twoTrees(boolean[] missingTracksTrue) {
        return new Forest(new long[] {0, 1}, new Mode[] {Mode.LEQ, Mode.LT}, new double[] {1, 0},
                new int[] {1, -1}, new int[] {-3, -2}, missingTracksTrue, NONE, new int[] {0, -4},
                new int[] {0, 1, 3, 4, 5}, new int[] {0, 0, 1, 1, 0}, new double[] {1, 2, 10, 4, 100});
    }

    private static TreeEnsemble ensemble(Aggregate aggregate, PostTransform post, double... base) {
        return new TreeEnsemble(twoTrees(new boolean[2]), 2, aggregate, post, base);
    }

    private static Tensor rows(double... xy) {
        Tensor t = Tensor.allocate(ElementType.F64, xy.length / 2, 2);
        for (int i = 0; i < xy.length; i++) {
            t.setDouble(i, xy[i]);
        }
        return t;
    }

    @Test
    void walksEachTreeToALeafAndSumsTheVotesPerTarget() {
        Tensor y = eval(ensemble(Aggregate.SUM, PostTransform.NONE), rows(1, -1, 0, 5, 3, -1));
        assertArrayEquals(new int[] {3, 2}, y.shape());
        assertEquals(ElementType.F64, y.type());
        // row 0: x0 <= 1 and x1 < 0 → leaf 0; row 1: leaf 1; row 2: x0 > 1 → leaf 2; tree 1 adds 100 to target 0
        assertArrayEquals(new double[] {101, 0, 102, 10, 100, 4}, doubles(y));
    }

    @Test
    void averagesOverTheTreesAndAddsBaseValuesAfterwardsToTheTargetsVotedFor() {
        Tensor y = eval(ensemble(Aggregate.AVERAGE, PostTransform.NONE, 0.5, -1), rows(0, 5, 1, -1));
        // row 1 has no vote for target 1: 0, without its base value (as ONNX Runtime)
        assertArrayEquals(new double[] {102 / 2.0 + 0.5, 10 / 2.0 - 1, 101 / 2.0 + 0.5, 0}, doubles(y));
    }

    @Test
    void minAndMaxLeaveATargetNoLeafVotedForAtZero() {
        assertArrayEquals(new double[] {1.5, 0}, doubles(eval(ensemble(Aggregate.MIN, PostTransform.NONE, 0.5, 7),
                rows(1, -1))));
        assertArrayEquals(new double[] {100, 10}, doubles(eval(ensemble(Aggregate.MAX, PostTransform.NONE),
                rows(0, 5))));
    }

    @Test
    void nanTakesTheTrueBranchOnlyWhereMissingValuesTrackTrue() {
        Tensor nanRow = rows(0, Double.NaN);
        assertArrayEquals(new double[] {102, 10}, doubles(eval(ensemble(Aggregate.SUM, PostTransform.NONE), nanRow)));
        TreeEnsemble tracking = new TreeEnsemble(twoTrees(new boolean[] {false, true}), 2, Aggregate.SUM,
                PostTransform.NONE, NONE);
        assertArrayEquals(new double[] {101, 0}, doubles(eval(tracking, nanRow)));
    }

    @Test
    void everyComparisonModeAndSetMembership() {
        double[] xs = {1, 2, 3};
        Mode[] modes = {Mode.LEQ, Mode.LT, Mode.GTE, Mode.GT, Mode.EQ, Mode.NEQ};
        boolean[][] expected = {
            {true, true, false}, {true, false, false}, {false, true, true}, {false, false, true},
            {false, true, false}, {true, false, true}};
        for (int m = 0; m < modes.length; m++) {
            for (int i = 0; i < xs.length; i++) {
                assertEquals(expected[m][i] ? 1.0 : 0.0, stump(modes[m], 2, NONE, xs[i]), modes[m] + " " + xs[i]);
            }
        }
        double[] sets = {7, 1.5, Double.NaN};
        assertEquals(1, stump(Mode.MEMBER, Double.NaN, sets, 1.5));
        assertEquals(1, stump(Mode.MEMBER, Double.NaN, sets, 7));
        assertEquals(0, stump(Mode.MEMBER, Double.NaN, sets, 2));
    }

    /** One node on feature 0: true → leaf voting 1, false → leaf voting 0. */
    private static double stump(Mode mode, double split, double[] membership, double x) {
        Forest f = new Forest(new long[] {0}, new Mode[] {mode}, new double[] {split}, new int[] {-1},
                new int[] {-2}, new boolean[1], membership, new int[] {0}, new int[] {0, 1, 2}, new int[] {0, 0},
                new double[] {1, 0});
        Tensor in = Tensor.allocate(ElementType.F32, 1, 1);
        in.setDouble(0, x);
        return eval(new TreeEnsemble(f, 1, Aggregate.SUM, PostTransform.NONE, NONE), in).getDouble(0);
    }

    @Test
    void postTransformsActAcrossTheTargetsOfARow() {
        double[] sum = doubles(eval(ensemble(Aggregate.SUM, PostTransform.NONE), rows(0, 5)));
        double[] soft = doubles(eval(ensemble(Aggregate.SUM, PostTransform.SOFTMAX), rows(0, 5)));
        double z = Math.exp(sum[0]) + Math.exp(sum[1]);
        assertEquals(Math.exp(sum[0]) / z, soft[0], 1e-12);
        assertEquals(Math.exp(sum[1]) / z, soft[1], 1e-12);
        double[] logistic = doubles(eval(ensemble(Aggregate.SUM, PostTransform.LOGISTIC, -101, 0), rows(1, -1)));
        assertEquals(1 / (1 + Math.exp(0)), logistic[0], 1e-12);
        assertEquals(0.5, logistic[1], 1e-12);
        // SOFTMAX_ZERO keeps the zero score at zero: row 0 scores (101, 0)
        assertArrayEquals(new double[] {1, 0}, doubles(eval(ensemble(Aggregate.SUM, PostTransform.SOFTMAX_ZERO),
                rows(1, -1))), 1e-12);
    }

    @Test
    void probitIsTheInverseOfTheStandardNormalDistribution() {
        for (double x : new double[] {-2.5, -1, 0, 0.3, 1, 3}) {
            double p = 0.5 * (1 + SpecialFunctions.erf(x / Math.sqrt(2)));
            // one tree whose one leaf votes p
            Forest f = new Forest(new long[] {0}, new Mode[] {Mode.LEQ}, new double[] {0}, new int[] {-1},
                    new int[] {-1}, new boolean[1], NONE, new int[] {0}, new int[] {0, 1}, new int[] {0},
                    new double[] {p});
            TreeEnsemble op = new TreeEnsemble(f, 1, Aggregate.SUM, PostTransform.PROBIT, NONE);
            assertEquals(x, eval(op, rows(0, 0)).getDouble(0), 1e-9, "probit(" + p + ")");
        }
    }

    @Test
    void infersRowsByTargetsAndChecksTheFeatureCount() {
        TreeEnsemble op = ensemble(Aggregate.SUM, PostTransform.NONE);
        assertEquals(PartialShape.of(PartialShape.DYNAMIC, 2), infer(op, ElementType.F16,
                PartialShape.of(PartialShape.DYNAMIC, 2)).output(0).shape());
        assertEquals(ElementType.F16, infer(op, ElementType.F16, PartialShape.of(3, 2)).output(0).type());
        InferoException narrow = assertThrows(InferoException.class, () -> infer(op, ElementType.F32,
                PartialShape.of(4, 1)));
        assertTrue(narrow.getMessage().contains("feature 1 of rows with 1 features"), narrow.getMessage());
        assertThrows(InferoException.class, () -> infer(op, ElementType.F32, PartialShape.of(2)));
        assertThrows(InferoException.class, () -> infer(op, ElementType.I64, PartialShape.of(2, 2)));
    }

    @Test
    void rejectsCyclesDanglingReferencesAndStrayVotes() {
        Forest cycle = new Forest(new long[] {0, 0}, new Mode[] {Mode.LEQ, Mode.LEQ}, new double[2],
                new int[] {1, 0}, new int[] {-1, -1}, new boolean[2], NONE, new int[] {0}, new int[] {0, 0},
                new int[0], NONE);
        InvalidModelException e = assertThrows(InvalidModelException.class, () -> new TreeEnsemble(cycle, 1,
                Aggregate.SUM, PostTransform.NONE, NONE));
        assertTrue(e.getMessage().contains("cycle"), e.getMessage());
        Forest dangling = new Forest(new long[] {0}, new Mode[] {Mode.LEQ}, new double[1], new int[] {3},
                new int[] {-1}, new boolean[1], NONE, new int[] {0}, new int[] {0, 0}, new int[0], NONE);
        e = assertThrows(InvalidModelException.class, () -> new TreeEnsemble(dangling, 1, Aggregate.SUM,
                PostTransform.NONE, NONE));
        assertTrue(e.getMessage().contains("true child of node 0 is node 3"), e.getMessage());
        e = assertThrows(InvalidModelException.class, () -> new TreeEnsemble(twoTrees(new boolean[2]), 1,
                Aggregate.SUM, PostTransform.NONE, NONE));
        assertTrue(e.getMessage().contains("for target 1, outside [0, 1)"), e.getMessage());
        Forest noSet = new Forest(new long[] {0}, new Mode[] {Mode.MEMBER}, new double[1], new int[] {-1},
                new int[] {-1}, new boolean[1], new double[] {1, 2}, new int[] {0}, new int[] {0, 0}, new int[0],
                NONE);
        e = assertThrows(InvalidModelException.class, () -> new TreeEnsemble(noSet, 1, Aggregate.SUM,
                PostTransform.NONE, NONE));
        assertTrue(e.getMessage().contains("no NaN-ended set"), e.getMessage());
    }

    @Test
    void roundTripsThroughIrAttributes() {
        assertRoundTrips(ensemble(Aggregate.AVERAGE, PostTransform.SOFTMAX_ZERO, 0.25, Double.MIN_VALUE));
        Forest sets = new Forest(new long[] {0}, new Mode[] {Mode.MEMBER}, new double[] {Double.NaN},
                new int[] {-1}, new int[] {-2}, new boolean[] {true}, new double[] {0.1, 3, Double.NaN},
                new int[] {0}, new int[] {0, 1, 2}, new int[] {0, 0}, new double[] {1.0 / 3, 1e-300});
        assertRoundTrips(new TreeEnsemble(sets, 1, Aggregate.MAX, PostTransform.PROBIT, NONE));
    }
}
