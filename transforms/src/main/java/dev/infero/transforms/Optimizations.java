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

    /**
     * What compiling a model applies to it (to a copy), read as it is or converted: the passes that only remove work
     * (no-ops, transpose pairs, pads the convolutions take over) and leave weights as they are, so the weights of an
     * INT8 model stay INT8 codes and BatchNorm stays a post-op of the convolution before it. First, f16 activations
     * become f32 ({@link ComputeF16InF32}) and the quantized weight forms of other tools become the INT8 codes the
     * integer kernels read ({@link NormalizeQuantizedWeights}), and the convolutions of QDQ models read their
     * activations through the FakeQuantize those kernels take ({@link QuantizedActivations}).
     */
    public static List<Pass> atCompile() {
        return new ArrayList<>(List.of(new ComputeF16InF32(), new NormalizeQuantizedWeights(),
                new QuantizedActivations(), new NoOpElimination(), new RemoveTransposePairs(), new FoldPadIntoConvolution(),
                new DeadNodeElimination()));
    }
}
