package dev.infero.onnx.ops;

import dev.infero.core.UnsupportedModelException;
import dev.infero.core.graph.Value;
import dev.infero.core.ops.eltwise.FloorMod;
import dev.infero.core.ops.misc.FourierTransform;
import dev.infero.core.ops.misc.GridSample;
import dev.infero.core.ops.movement.Pad;
import dev.infero.core.ops.movement.Reshape;
import dev.infero.core.ops.movement.Squeeze;
import dev.infero.core.ops.movement.Unsqueeze;
import dev.infero.core.tensor.Tensor;
import dev.infero.onnx.OnnxNode;
import dev.infero.onnx.OnnxTranslator;
import java.util.List;
import java.util.Map;

/** Grid sampling, Fourier transforms and windows, sequence and linear-algebra ops. */
public final class MiscOps {
    private MiscOps() {
    }

    public static void register(Map<String, OnnxTranslator> r) {
        r.put("GridSample", MiscOps::gridSample);
        r.put("DFT", MiscOps::dft);
    }

    /** GridSample-16 names modes bilinear/bicubic, GridSample-20 linear/cubic (and allows N-D images). */
    private static List<Value> gridSample(OnnxNode n) {
        String mode = switch (n.attrString("mode", n.opset() < 20 ? "bilinear" : "linear")) {
            case "linear", "bilinear" -> "bilinear";
            case "cubic", "bicubic" -> "bicubic";
            case "nearest" -> "nearest";
            default -> throw n.error("unknown mode '" + n.attrString("mode", "") + "'");
        };
        String padding = n.attrString("padding_mode", "zeros");
        if (!List.of("zeros", "border", "reflection").contains(padding)) {
            throw n.error("unknown padding_mode '" + padding + "'");
        }
        return List.of(n.add(new GridSample(n.attrInt("align_corners", 0) != 0, mode, padding), n.requireInput(0),
                n.requireInput(1)));
    }

    /**
     * DFT-17/20 on {@code [..., 1]} (real) or {@code [..., 2]} (complex) data: forward one-sided is RDFT of the real
     * signal, inverse one-sided is IRDFT (its real output gets the trailing 1 back), otherwise DFT/IDFT of the data
     * made complex. The axis (attribute until opset 19, default 1; input 2 since opset 20, default -2) counts the
     * trailing dimension, so negative values are made positive before they reach the OpenVINO ops.
     */
    private static List<Value> dft(OnnxNode n) {
        Value x = n.requireInput(0);
        if (!x.shape().hasRank() || x.shape().isDynamic(x.shape().rank() - 1)) {
            throw new UnsupportedModelException("DFT node '" + n.name()
                    + "' needs data of known rank with a static last dimension (1 real, 2 complex)");
        }
        int rank = x.shape().rank();
        boolean complex = x.shape().dim(rank - 1) == 2;
        boolean inverse = n.attrInt("inverse", 0) != 0;
        boolean onesided = n.attrInt("onesided", 0) != 0;
        Value axes;
        if (n.opset() < 20 || !n.hasInput(2)) {
            long axis = n.opset() < 20 ? n.attrInt("axis", 1) : -2;
            axes = n.constant(Tensor.vector(axis < 0 ? axis + rank : axis));
        } else {
            Value axis = n.add(new Reshape(false), n.input(2), n.constant(Tensor.vector(1)));
            axes = n.add(new FloorMod(), axis, n.constant(Tensor.of(new long[] {rank}, 1).convertTo(axis.type())));
        }
        Value size = n.hasInput(1) ? n.add(new Reshape(false), n.input(1), n.constant(Tensor.vector(1))) : null;
        Value last = n.constant(Tensor.vector(-1));
        if (onesided && !inverse) {
            if (complex) {
                throw n.error("a one-sided DFT needs real input ([..., 1]), got " + x.shape());
            }
            Value real = n.add(new Squeeze(), x, last);
            return List.of(n.add(new FourierTransform(FourierTransform.Kind.RDFT), real, axes, size));
        }
        Value signal = complex ? x : n.add(new Pad(Pad.Mode.CONSTANT), x, n.constant(Tensor.vector(new long[rank])),
                n.constant(Tensor.vector(lastOnly(rank))));
        if (onesided) {
            Value real = n.add(new FourierTransform(FourierTransform.Kind.IRDFT), signal, axes, size);
            return List.of(n.add(new Unsqueeze(), real, last));
        }
        FourierTransform.Kind kind = inverse ? FourierTransform.Kind.IDFT : FourierTransform.Kind.DFT;
        return List.of(n.add(new FourierTransform(kind), signal, axes, size));
    }

    /** {@code [0, ..., 0, 1]} of length {@code rank}: pads the last dimension from 1 (real) to 2 (complex). */
    private static long[] lastOnly(int rank) {
        long[] pads = new long[rank];
        pads[rank - 1] = 1;
        return pads;
    }
}
