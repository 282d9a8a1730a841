package dev.infero.transforms;

import java.util.ArrayList;
import java.util.List;

/** The pass pipelines Infero applies, defined once for {@code convert}, {@code info} and the Java API. */
public final class Optimizations {
    private Optimizations() {
    }

    /** Device-independent optimizations for inference, in the order they run. */
    public static List<Pass> standard() {
        return new ArrayList<>(List.of(new ConstantFolding(), new NoOpElimination(), new RemoveTransposePairs(),
                new FoldPadIntoConvolution(), new FoldAffineIntoWeights(), new CommonSubexpressionElimination(),
                new DeadNodeElimination()));
    }
}
