package dev.infero.core.ops.nn;

import dev.infero.core.op.Attribute;
import dev.infero.core.op.InferContext;
import dev.infero.core.op.Op;
import dev.infero.core.op.OpSpec;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.PartialShape;

/**
 * DeformableConvolution-8 (2-D): a convolution whose every kernel tap reads the input at its regular position moved
 * by a learned offset, sampled bilinearly, and optionally scaled by a mask. Inputs: {@code data [N, C_in, H, W]},
 * {@code offsets [N, DG·kH·kW·2, H_out, W_out]} ((y, x) pairs per deformable group and tap),
 * {@code filters [C_out, C_in/group, kH, kW]} and an optional {@code mask [N, DG·kH·kW, H_out, W_out]}; the input
 * channels split into {@code deformable_group} groups, each with its own offsets. Output
 * {@code [N, C_out, H_out, W_out]}, no bias (added separately, as for Convolution).
 *
 * <p>With {@code bilinear_interpolation_pad} a sample up to a pixel outside the image interpolates with zeros beyond
 * the edge (ONNX DeformConv, torchvision); without it, a sample outside the image is 0.
 */
public final class DeformableConvolution extends Op {
    private static final WindowAttributes<DeformableConvolution> WINDOW =
            new WindowAttributes<>(DeformableConvolution::window);
    private static final Attribute<DeformableConvolution, Long> GROUP = Attribute.integer("group",
            (DeformableConvolution d) -> (long) d.group()).orElse(1L);
    private static final Attribute<DeformableConvolution, Long> DEFORMABLE_GROUP = Attribute.integer(
            "deformable_group", (DeformableConvolution d) -> (long) d.deformableGroup()).orElse(1L);
    private static final Attribute<DeformableConvolution, Boolean> BILINEAR_PAD = Attribute.bool(
            "bilinear_interpolation_pad", DeformableConvolution::bilinearPad).orElse(false);
    public static final OpSpec<DeformableConvolution> SPEC = OpSpec.of(DeformableConvolution.class,
            "DeformableConvolution", "opset8", a -> new DeformableConvolution(WINDOW.read(a, true),
                    Math.toIntExact(GROUP.read(a)), Math.toIntExact(DEFORMABLE_GROUP.read(a)), BILINEAR_PAD.read(a)),
            WINDOW.strides, WINDOW.dilations, WINDOW.padsBegin, WINDOW.padsEnd, WINDOW.autoPad, GROUP,
            DEFORMABLE_GROUP, BILINEAR_PAD);

    private final WindowGeometry window;
    private final int group;
    private final int deformableGroup;
    private final boolean bilinearPad;

    public DeformableConvolution(WindowGeometry window, int group, int deformableGroup, boolean bilinearPad) {
        if (window.rank() != 2 || group < 1 || deformableGroup < 1) {
            throw new IllegalArgumentException("DeformableConvolution needs a 2-D window and group, deformable_group"
                    + " >= 1, got rank " + window.rank() + ", " + group + ", " + deformableGroup);
        }
        this.window = window;
        this.group = group;
        this.deformableGroup = deformableGroup;
        this.bilinearPad = bilinearPad;
    }

    public WindowGeometry window() {
        return window;
    }

    public int group() {
        return group;
    }

    public int deformableGroup() {
        return deformableGroup;
    }

    /** Whether samples just outside the input interpolate with zeros ({@code bilinear_interpolation_pad}). */
    public boolean bilinearPad() {
        return bilinearPad;
    }

    @Override
    public void infer(InferContext ctx) {
        PartialShape data = ctx.inputShape(0);
        PartialShape offsets = ctx.inputShape(1);
        PartialShape filters = ctx.inputShape(2);
        if (!ctx.inputType(0).isFloating() || ctx.inputType(1) != ctx.inputType(0)
                || ctx.inputType(2) != ctx.inputType(0)
                || (ctx.hasInput(3) && ctx.inputType(3) != ctx.inputType(0))) {
            throw ctx.error("data, offsets, filters and mask must be of one floating type");
        }
        if ((data.hasRank() && data.rank() != 4) || (offsets.hasRank() && offsets.rank() != 4)
                || (filters.hasRank() && filters.rank() != 4)) {
            throw ctx.error("data, offsets and filters must have 4 dimensions, got " + data + ", " + offsets + " and "
                    + filters);
        }
        if (!data.hasRank() || !filters.isStatic()) {
            ctx.setOutput(0, ctx.inputType(0), PartialShape.dynamic(4));
            return;
        }
        int[] w = filters.toArray();
        if (w[0] % group != 0 || (!data.isDynamic(1) && (data.dim(1) != w[1] * group
                || data.dim(1) % deformableGroup != 0))) {
            throw ctx.error("data " + data + " and filters " + filters + " do not fit group " + group
                    + " and deformable_group " + deformableGroup);
        }
        int taps = w[2] * w[3];
        if (offsets.hasRank() && !offsets.isDynamic(1) && offsets.dim(1) != deformableGroup * taps * 2) {
            throw ctx.error("offsets " + offsets + " must have " + deformableGroup * taps * 2 + " channels");
        }
        int[] out = {data.dim(0), w[0], PartialShape.DYNAMIC, PartialShape.DYNAMIC};
        for (int i = 0; i < 2; i++) {
            int in = data.dim(2 + i);
            out[2 + i] = in == PartialShape.DYNAMIC ? PartialShape.DYNAMIC : window.outputSize(i, in, w[2 + i]);
        }
        ctx.setOutput(0, ctx.inputType(0), PartialShape.of(out));
    }

    @Override
    public void evaluate(Tensor[] inputs, Tensor[] outputs) {
        Tensor out = outputs[0];
        int[] in = inputs[0].shape();
        int[] w = inputs[2].shape();
        int batch = in[0];
        int cin = in[1];
        int height = in[2];
        int width = in[3];
        int cout = w[0];
        int kh = w[2];
        int kw = w[3];
        int oh = out.dim(2);
        int ow = out.dim(3);
        int taps = kh * kw;
        int positions = oh * ow;
        int padTop = window.padBegin(0, height, kh);
        int padLeft = window.padBegin(1, width, kw);
        long strideH = window.strides()[0];
        long strideW = window.strides()[1];
        long dilationH = window.dilations()[0];
        long dilationW = window.dilations()[1];
        float[] x = inputs[0].toFloatArray();
        float[] offsets = inputs[1].toFloatArray();
        float[] filters = inputs[2].toFloatArray();
        float[] mask = inputs.length > 3 && inputs[3] != null ? inputs[3].toFloatArray() : null;
        int channelsPerDeformable = cin / deformableGroup;
        int cinPerGroup = cin / group;
        int coutPerGroup = cout / group;
        // Per image: the sampled (and masked) input of every channel, tap and output position, then a grouped GEMM.
        double[] columns = new double[cin * taps * positions];
        for (int n = 0; n < batch; n++) {
            for (int c = 0; c < cin; c++) {
                int dg = c / channelsPerDeformable;
                int plane = (n * cin + c) * height * width;
                for (int t = 0; t < taps; t++) {
                    int ki = t / kw;
                    int kj = t % kw;
                    int offsetChannel = ((n * deformableGroup + dg) * taps + t) * 2;
                    int maskChannel = (n * deformableGroup + dg) * taps + t;
                    for (int p = 0; p < positions; p++) {
                        int oy = p / ow;
                        int ox = p % ow;
                        double y = oy * strideH - padTop + ki * dilationH + offsets[offsetChannel * positions + p];
                        double xx = ox * strideW - padLeft + kj * dilationW
                                + offsets[(offsetChannel + 1) * positions + p];
                        double v = sample(x, plane, height, width, y, xx);
                        if (mask != null) {
                            v *= mask[maskChannel * positions + p];
                        }
                        columns[(c * taps + t) * positions + p] = v;
                    }
                }
            }
            for (int oc = 0; oc < cout; oc++) {
                int g = oc / coutPerGroup;
                for (int p = 0; p < positions; p++) {
                    double sum = 0;
                    for (int ic = 0; ic < cinPerGroup; ic++) {
                        int c = g * cinPerGroup + ic;
                        for (int t = 0; t < taps; t++) {
                            sum += filters[(oc * cinPerGroup + ic) * taps + t] * columns[(c * taps + t) * positions + p];
                        }
                    }
                    out.setDouble((n * cout + oc) * positions + p, sum);
                }
            }
        }
    }

    /** Bilinear sample of one plane at (y, x); neighbours outside the image read as 0. */
    private double sample(float[] x, int plane, int height, int width, double y, double xx) {
        boolean outside = bilinearPad ? y <= -1 || y >= height || xx <= -1 || xx >= width
                : y < 0 || y >= height || xx < 0 || xx >= width;
        if (outside) {
            return 0;
        }
        int y0 = (int) Math.floor(y);
        int x0 = (int) Math.floor(xx);
        double ly = y - y0;
        double lx = xx - x0;
        return (1 - ly) * (1 - lx) * at(x, plane, height, width, y0, x0)
                + (1 - ly) * lx * at(x, plane, height, width, y0, x0 + 1)
                + ly * (1 - lx) * at(x, plane, height, width, y0 + 1, x0)
                + ly * lx * at(x, plane, height, width, y0 + 1, x0 + 1);
    }

    private static double at(float[] x, int plane, int height, int width, int y, int xx) {
        return y < 0 || y >= height || xx < 0 || xx >= width ? 0 : x[plane + y * width + xx];
    }
}
