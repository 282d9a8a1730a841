package dev.infero.onnx.ops;

import dev.infero.core.UnsupportedModelException;
import dev.infero.core.graph.Value;
import dev.infero.core.ops.eltwise.Divide;
import dev.infero.core.ops.eltwise.Multiply;
import dev.infero.core.ops.eltwise.Negative;
import dev.infero.core.ops.eltwise.Select;
import dev.infero.core.ops.logical.Equal;
import dev.infero.core.ops.movement.Gather;
import dev.infero.core.ops.movement.Squeeze;
import dev.infero.core.ops.movement.Unsqueeze;
import dev.infero.core.ops.normalization.LogSoftmax;
import dev.infero.core.ops.reduce.ReduceMean;
import dev.infero.core.ops.reduce.ReduceSum;
import dev.infero.core.ops.selection.GatherElements;
import dev.infero.core.tensor.Tensor;
import dev.infero.onnx.OnnxNode;
import dev.infero.onnx.OnnxTranslator;
import java.util.List;
import java.util.Map;

/**
 * NegativeLogLikelihoodLoss and SoftmaxCrossEntropyLoss, decomposed as their ONNX function bodies: the (log)
 * probability of each target class is gathered along the class axis 1, negated and weighted by its class weight;
 * targets equal to {@code ignore_index} contribute nothing, and the mean divides by the sum of the weights taken.
 */
public final class LossOps {
    private LossOps() {
    }

    public static void register(Map<String, OnnxTranslator> r) {
        r.put("NegativeLogLikelihoodLoss", n -> List.of(negativeLogLikelihood(n, n.requireInput(0))));
        r.put("SoftmaxCrossEntropyLoss", n -> {
            Value logProb = n.add(new LogSoftmax(1), n.requireInput(0));
            return List.of(negativeLogLikelihood(n, logProb), logProb);
        });
    }

    /** The loss of log-probabilities {@code [N, C, d1, ..]} for targets {@code [N, d1, ..]} (input 1). */
    private static Value negativeLogLikelihood(OnnxNode n, Value logProb) {
        Value target = n.requireInput(1);
        if (!logProb.shape().hasRank() || logProb.shape().rank() < 2) {
            throw new UnsupportedModelException(n.opType() + " node '" + n.name()
                    + "' needs an input of known rank, at least [N, C]");
        }
        Value classAxis = n.constant(Tensor.vector(1));
        Value target1 = n.add(new Unsqueeze(), target, classAxis);
        Value ignored = null;
        if (n.has("ignore_index")) {
            ignored = n.add(new Equal(), target1,
                    n.constant(Tensor.scalar(n.attrInt("ignore_index", 0)).convertTo(target.type())));
            target1 = n.add(new Select(), ignored, n.constant(Tensor.scalar(0L).convertTo(target.type())), target1);
        }
        Value zero = AttentionOps.scalar(n, 0f, logProb.type());
        Value loss = n.add(new GatherElements(1), logProb, target1);
        if (ignored != null) {
            loss = n.add(new Select(), ignored, zero, loss);
        }
        loss = n.add(new Negative(), loss);
        Value weight = null;
        if (n.hasInput(2)) {
            weight = n.add(new Gather(0), n.input(2), target1, n.constant(Tensor.scalar(0L)));
            if (ignored != null) {
                weight = n.add(new Select(), ignored, zero, weight);
            }
        } else if (ignored != null) {
            weight = n.add(new Select(), ignored, zero, AttentionOps.scalar(n, 1f, logProb.type()));
        }
        if (weight != null) {
            loss = n.add(new Multiply(), loss, weight);
        }
        loss = n.add(new Squeeze(), loss, classAxis);
        String reduction = n.attrString("reduction", "mean");
        int rank = logProb.shape().rank() - 1;
        Value all = n.constant(Tensor.vector(allAxes(rank)));
        return switch (reduction) {
            case "none" -> loss;
            case "sum" -> n.add(new ReduceSum(false), loss, all);
            case "mean" -> weight == null ? n.add(new ReduceMean(false), loss, all)
                    : n.add(new Divide(), n.add(new ReduceSum(false), loss, all),
                            n.add(new ReduceSum(false), weight, n.constant(Tensor.vector(allAxes(rank + 1)))));
            default -> throw n.error("reduction must be none, sum or mean, got '" + reduction + "'");
        };
    }

    private static long[] allAxes(int rank) {
        long[] axes = new long[rank];
        for (int i = 0; i < rank; i++) {
            axes[i] = i;
        }
        return axes;
    }
}
