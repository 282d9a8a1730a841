package dev.infero.transforms;

import dev.infero.core.graph.Graph;
import dev.infero.core.graph.Node;
import dev.infero.core.graph.Value;
import dev.infero.core.ops.movement.Pad;
import dev.infero.core.ops.nn.AutoPad;
import dev.infero.core.ops.nn.Convolution;
import dev.infero.core.ops.nn.ConvolutionBase;
import dev.infero.core.ops.nn.GroupConvolution;
import dev.infero.core.ops.nn.WindowGeometry;
import dev.infero.core.ops.quantization.FakeQuantize;
import dev.infero.core.tensor.Tensor;
import java.util.List;

/**
 * A zero-valued constant Pad of the spatial dimensions only, read by nothing but a (Group)Convolution with explicit
 * padding, becomes part of that convolution's padding: the convolution pads with zeros anyway. In an INT8 model the
 * Pad may be read through the convolution's input FakeQuantize: the FakeQuantize then reads the unpadded tensor,
 * since its zero point makes 0 a level (what it outputs for 0 differs from 0 by float rounding at most, and INT8
 * kernels pad with code 0 anyway).
 */
public final class FoldPadIntoConvolution implements Pass {
    @Override
    public String name() {
        return "fold-pad-into-convolution";
    }

    @Override
    public int apply(Graph graph) {
        int folded = 0;
        for (Node pad : List.copyOf(graph.nodes())) {
            if (!(pad.op() instanceof Pad p) || p.mode() != Pad.Mode.CONSTANT) {
                continue;
            }
            List<Node> readers = graph.consumers(pad.output(0));
            Node quantize = readers.size() == 1 && readers.get(0).op() instanceof FakeQuantize
                    && readers.get(0).input(0) == pad.output(0) && keepsZero(readers.get(0)) ? readers.get(0) : null;
            if (quantize != null) {
                readers = graph.consumers(quantize.output(0));
            }
            Value convInput = quantize != null ? quantize.output(0) : pad.output(0);
            if (readers.size() != 1 || !(readers.get(0).op() instanceof ConvolutionBase conv)
                    || readers.get(0).input(0) != convInput || conv.window().autoPad() != AutoPad.EXPLICIT) {
                continue;
            }
            long[] begin = spatialPads(pad.input(1), conv.window().rank());
            long[] end = spatialPads(pad.input(2), conv.window().rank());
            boolean zeroValue = pad.inputs().size() < 4 || pad.input(3) == null
                    || (pad.input(3).isKnown() && pad.input(3).knownValue().getDouble(0) == 0);
            if (begin == null || end == null || !zeroValue) {
                continue;
            }
            WindowGeometry w = conv.window();
            long[] pb = w.padsBegin().clone();
            long[] pe = w.padsEnd().clone();
            for (int i = 0; i < pb.length; i++) {
                pb[i] += begin[i];
                pe[i] += end[i];
            }
            WindowGeometry merged = new WindowGeometry(w.strides(), w.dilations(), pb, pe, AutoPad.EXPLICIT, w.ceil());
            Node convNode = readers.get(0);
            Value unpadded = pad.input(0);
            if (quantize != null) {
                // A new FakeQuantize of the unpadded tensor (the old one dies with the Pad): rewiring the old one
                // first would shrink the convolution's output until its padding grows.
                List<Value> inputs = new java.util.ArrayList<>(quantize.inputs());
                inputs.set(0, unpadded);
                unpadded = graph.add(quantize.op(), quantize.name(), inputs).output(0);
            }
            graph.replaceNode(convNode, conv instanceof GroupConvolution ? new GroupConvolution(merged)
                    : new Convolution(merged), List.of(unpadded, convNode.input(1)));
            folded++;
        }
        if (folded > 0) {
            graph.removeDeadNodes(); // the Pads the convolutions no longer read
        }
        return folded;
    }

    /**
     * Whether a FakeQuantize maps 0 to 0 (up to float rounding): constant ranges, the same on input and output, with
     * an integer zero point on every channel.
     */
    private static boolean keepsZero(Node fq) {
        for (int i = 1; i <= 4; i++) {
            if (!fq.input(i).isKnown()) {
                return false;
            }
        }
        Tensor low = fq.input(1).knownValue();
        Tensor high = fq.input(2).knownValue();
        if (!low.contentEquals(fq.input(3).knownValue()) || !high.contentEquals(fq.input(4).knownValue())
                || low.size() != high.size()) {
            return false;
        }
        long levels = ((FakeQuantize) fq.op()).levels();
        for (int c = 0; c < low.size(); c++) {
            if (FakeQuantize.integerZeroPoint(low.getDouble(c), high.getDouble(c), levels) < 0) {
                return false;
            }
        }
        return true;
    }

    /** The pads of the spatial dimensions when batch and channel pads are zero and all are non-negative. */
    private static long[] spatialPads(Value pads, int spatial) {
        if (pads == null || !pads.isKnown()) {
            return null;
        }
        Tensor t = pads.knownValue();
        if (t.size() != spatial + 2 || t.getLong(0) != 0 || t.getLong(1) != 0) {
            return null;
        }
        long[] out = new long[spatial];
        for (int i = 0; i < spatial; i++) {
            out[i] = t.getLong(2 + i);
            if (out[i] < 0) {
                return null;
            }
        }
        return out;
    }
}
