package dev.infero.core.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.junit.jupiter.api.Test;

/** Lane folds combine halves in a fixed tree order, whatever the vector width and however warm the JIT is. */
class VectorLanesTest {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    /** The fixed order written out: lane i takes lane i + w for w = L/2, ..., 1. */
    private static float treeSum(float[] lanes) {
        float[] v = lanes.clone();
        for (int w = v.length / 2; w >= 1; w /= 2) {
            for (int i = 0; i < w; i++) {
                v[i] += v[i + w];
            }
        }
        return v[0];
    }

    @Test
    void sumsInTheSameTreeOrderOnEveryCall() {
        float[] lanes = new float[S.length()];
        java.util.Random r = new java.util.Random(3);
        for (int round = 0; round < 20_000; round++) {
            for (int i = 0; i < lanes.length; i++) {
                // Magnitudes far apart, so any other order rounds differently.
                lanes[i] = (float) (r.nextGaussian() * Math.pow(10, r.nextInt(12)));
            }
            assertEquals(treeSum(lanes), VectorLanes.sum(FloatVector.fromArray(S, lanes, 0)), "round " + round);
        }
    }

    /** The fixed tree order with {@code op}, as {@link #treeSum}. */
    private static float tree(float[] lanes, java.util.function.BinaryOperator<Float> op) {
        float[] v = lanes.clone();
        for (int w = v.length / 2; w >= 1; w /= 2) {
            for (int i = 0; i < w; i++) {
                v[i] = op.apply(v[i], v[i + w]);
            }
        }
        return v[0];
    }

    /** Every width, 2 to 16 lanes (the halvings are written out per width), each common operator. */
    @Test
    void foldsEveryWidthInTreeOrder() {
        java.util.Random r = new java.util.Random(5);
        for (VectorSpecies<Float> species : java.util.List.of(FloatVector.SPECIES_64, FloatVector.SPECIES_128,
                FloatVector.SPECIES_256, FloatVector.SPECIES_512)) {
            float[] lanes = new float[species.length()];
            for (int round = 0; round < 200; round++) {
                for (int i = 0; i < lanes.length; i++) {
                    lanes[i] = (float) (r.nextGaussian() * Math.pow(10, r.nextInt(12) - 6));
                }
                FloatVector v = FloatVector.fromArray(species, lanes, 0);
                String at = species + " round " + round;
                assertEquals(tree(lanes, Float::sum), VectorLanes.sum(v), at);
                assertEquals(tree(lanes, (a, b) -> a * b), VectorLanes.product(v), at);
                assertEquals(tree(lanes, Math::max), VectorLanes.max(v), at);
                assertEquals(tree(lanes, Math::min), VectorLanes.min(v), at);
                assertEquals(tree(lanes, Float::sum), VectorLanes.fold(v, VectorOperators.ADD), at);
            }
        }
    }

    @Test
    void foldsAnyAssociativeOperator() {
        float[] lanes = new float[S.length()];
        for (int i = 0; i < lanes.length; i++) {
            lanes[i] = i % 5 - 2.5f;
        }
        FloatVector v = FloatVector.fromArray(S, lanes, 0);
        assertEquals(v.reduceLanes(VectorOperators.MAX), VectorLanes.fold(v, VectorOperators.MAX));
        assertEquals(v.reduceLanes(VectorOperators.MIN), VectorLanes.fold(v, VectorOperators.MIN));
    }
}
