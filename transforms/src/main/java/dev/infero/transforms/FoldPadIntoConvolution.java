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
import dev.infero.core.tensor.Tensor;
import java.util.List;

/**
 * A zero-valued constant Pad of the spatial dimensions only, read by nothing but a (Group)Convolution with explicit
 * padding, becomes part of that convolution's padding: the convolution pads with zeros anyway.
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
            if (readers.size() != 1 || !(readers.get(0).op() instanceof ConvolutionBase conv)
                    || readers.get(0).input(0) != pad.output(0) || conv.window().autoPad() != AutoPad.EXPLICIT) {
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
            graph.replaceNode(convNode, conv instanceof GroupConvolution ? new GroupConvolution(merged)
                    : new Convolution(merged), List.of(pad.input(0), convNode.input(1)));
            folded++;
        }
        if (folded > 0) {
            graph.removeDeadNodes(); // the Pads the convolutions no longer read
        }
        return folded;
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
