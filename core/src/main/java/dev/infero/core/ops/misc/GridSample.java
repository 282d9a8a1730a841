package dev.infero.core.ops.misc;

import dev.infero.core.op.Attribute;
import dev.infero.core.op.InferContext;
import dev.infero.core.op.Op;
import dev.infero.core.op.OpSpec;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.PartialShape;
import java.util.List;

/**
 * GridSample-9: samples {@code data [N, C, D1..Dk]} at the points of {@code grid [N, O1..Ok, k]}, whose last
 * dimension holds normalised coordinates in [-1, 1], innermost dimension first ({@code x} then {@code y}...). The
 * output is {@code [N, C, O1..Ok]}. A coordinate {@code g} maps to the pixel position
 * {@code (g + 1) / 2 * (size - 1)} ({@code align_corners}) or {@code ((g + 1) * size - 1) / 2}.
 * <ul>
 * <li>{@code mode}: {@code nearest} (round half to even), {@code bilinear} (linear along every axis) or
 * {@code bicubic} (Keys kernel, a = -0.75, over 4 neighbours per axis).
 * <li>{@code padding_mode} for positions outside the image: {@code zeros} (outside pixels read as 0),
 * {@code border} (positions clamp to the edge) or {@code reflection} (positions reflect at the border: the pixel
 * centres with {@code align_corners}, else the image edges).
 * </ul>
 * OpenVINO defines the op for 2-D images; Infero accepts any number of spatial dimensions (ONNX GridSample-20 does).
 */
public final class GridSample extends Op {
    private static final Attribute<GridSample, Boolean> ALIGN_CORNERS = Attribute.bool("align_corners",
            (GridSample op) -> op.alignCorners).orElse(false);
    private static final Attribute<GridSample, String> MODE = Attribute.string("mode", (GridSample op) -> op.mode)
            .orElse("bilinear");
    private static final Attribute<GridSample, String> PADDING_MODE = Attribute.string("padding_mode",
            (GridSample op) -> op.paddingMode).orElse("zeros");
    public static final OpSpec<GridSample> SPEC = OpSpec.of(GridSample.class, "GridSample", "opset9",
            a -> new GridSample(ALIGN_CORNERS.read(a), MODE.read(a), PADDING_MODE.read(a)),
            ALIGN_CORNERS, MODE, PADDING_MODE);

    private static final List<String> MODES = List.of("bilinear", "bicubic", "nearest");
    private static final List<String> PADDING_MODES = List.of("zeros", "border", "reflection");
    private static final double CUBIC_A = -0.75;

    private final boolean alignCorners;
    private final String mode;
    private final String paddingMode;

    public GridSample(boolean alignCorners, String mode, String paddingMode) {
        if (!MODES.contains(mode) || !PADDING_MODES.contains(paddingMode)) {
            throw new IllegalArgumentException("GridSample mode '" + mode + "' / padding_mode '" + paddingMode
                    + "' is not one of " + MODES + " / " + PADDING_MODES);
        }
        this.alignCorners = alignCorners;
        this.mode = mode;
        this.paddingMode = paddingMode;
    }

    @Override
    public void infer(InferContext ctx) {
        PartialShape data = ctx.inputShape(0);
        PartialShape grid = ctx.inputShape(1);
        if (!ctx.inputType(0).isFloating() || !ctx.inputType(1).isFloating()) {
            throw ctx.error("data and grid must be floating point, got " + ctx.inputType(0) + " and "
                    + ctx.inputType(1));
        }
        if (!data.hasRank() || !grid.hasRank()) {
            ctx.setOutput(0, ctx.inputType(0), PartialShape.unknownRank());
            return;
        }
        int spatial = data.rank() - 2;
        if (spatial < 1 || grid.rank() != spatial + 2) {
            throw ctx.error("data " + data + " and grid " + grid + " must have ranks k + 2 and k + 2 (k >= 1)");
        }
        if (!grid.isDynamic(spatial + 1) && grid.dim(spatial + 1) != spatial) {
            throw ctx.error("the last dimension of grid " + grid + " must be " + spatial);
        }
        if (mode.equals("bicubic") && spatial != 2) {
            throw ctx.error("bicubic sampling needs 2-D images, got data " + data);
        }
        int[] out = new int[spatial + 2];
        out[0] = data.isDynamic(0) ? grid.dim(0) : data.dim(0);
        out[1] = data.dim(1);
        for (int i = 0; i < spatial; i++) {
            out[2 + i] = grid.dim(1 + i);
        }
        ctx.setOutput(0, ctx.inputType(0), PartialShape.of(out));
    }

    @Override
    public void evaluate(Tensor[] inputs, Tensor[] outputs) {
        Tensor data = inputs[0];
        Tensor grid = inputs[1];
        Tensor out = outputs[0];
        int k = data.rank() - 2;
        int batch = data.dim(0);
        int channels = data.dim(1);
        int[] size = new int[k];
        int image = 1;
        for (int i = 0; i < k; i++) {
            size[i] = data.dim(2 + i);
            image *= size[i];
        }
        int points = out.size() / Math.max(1, batch * channels);
        int taps = mode.equals("bicubic") ? 4 : mode.equals("bilinear") ? 2 : 1;
        int corners = (int) Math.pow(taps, k);
        int[][] index = new int[k][taps];
        double[][] weight = new double[k][taps];
        double[] position = new double[k];
        for (int n = 0; n < batch; n++) {
            for (int p = 0; p < points; p++) {
                int g = (n * points + p) * k;
                for (int axis = 0; axis < k; axis++) {
                    // grid lists x (innermost) first: spatial axis `axis` reads component k - 1 - axis
                    position[axis] = toPixel(grid.getDouble(g + k - 1 - axis), size[axis]);
                    taps(position[axis], size[axis], index[axis], weight[axis]);
                }
                for (int c = 0; c < channels; c++) {
                    int base = (n * channels + c) * image;
                    double sum = 0;
                    for (int corner = 0; corner < corners; corner++) {
                        double w = 1;
                        int offset = 0;
                        boolean inside = true;
                        for (int axis = 0, rest = corner; axis < k; axis++, rest /= taps) {
                            int t = taps == 1 ? 0 : rest % taps;
                            int i = index[axis][t];
                            w *= weight[axis][t];
                            inside &= i >= 0;
                            offset = offset * size[axis] + i;
                        }
                        if (inside && w != 0) {
                            sum += w * data.getDouble(base + offset);
                        }
                    }
                    out.setDouble((n * channels + c) * points + p, sum);
                }
            }
        }
    }

    /** The pixel position of a normalised coordinate, with out-of-range positions clamped or reflected. */
    private double toPixel(double g, int size) {
        double x = alignCorners ? (g + 1) / 2 * (size - 1) : ((g + 1) * size - 1) / 2;
        if (mode.equals("nearest")) {
            x = Math.rint(x);
        }
        double min = alignCorners ? 0 : -0.5;
        double max = alignCorners ? size - 1 : size - 0.5;
        if (x < min || x > max) {
            if (paddingMode.equals("border")) {
                x = Math.clamp(x, 0, size - 1);
            } else if (paddingMode.equals("reflection")) {
                x = reflect(x, min, max);
            }
        }
        return x;
    }

    /**
     * The pixels and weights sampling position {@code x} along one axis; an index of -1 marks a pixel outside the
     * image under zeros padding (it contributes nothing).
     */
    private void taps(double x, int size, int[] index, double[] weight) {
        switch (mode) {
            case "nearest" -> {
                index[0] = pixel((int) x, size);
                weight[0] = 1;
            }
            case "bilinear" -> {
                double x0 = Math.floor(x);
                double t = x - x0;
                index[0] = pixel((int) x0, size);
                index[1] = pixel((int) x0 + 1, size);
                weight[0] = 1 - t;
                weight[1] = t;
            }
            default -> {
                double x0 = Math.floor(x);
                double t = x - x0;
                for (int i = 0; i < 4; i++) {
                    index[i] = pixel((int) x0 - 1 + i, size);
                    weight[i] = cubic(Math.abs(t + 1 - i));
                }
            }
        }
    }

    /** The Keys cubic convolution kernel at distance {@code d} (0 <= d < 2). */
    private static double cubic(double d) {
        if (d <= 1) {
            return ((CUBIC_A + 2) * d - (CUBIC_A + 3)) * d * d + 1;
        }
        return ((CUBIC_A * d - 5 * CUBIC_A) * d + 8 * CUBIC_A) * d - 4 * CUBIC_A;
    }

    /** The pixel read for index {@code i}: itself inside the image, else by the padding mode (-1: a zero). */
    private int pixel(int i, int size) {
        if (i >= 0 && i < size) {
            return i;
        }
        return switch (paddingMode) {
            case "zeros" -> -1;
            case "border" -> Math.clamp(i, 0, size - 1);
            default -> (int) reflect(i, alignCorners ? 0 : -0.5, alignCorners ? size - 1 : size - 0.5);
        };
    }

    /** Reflects {@code x} into [min, max] as many times as needed. */
    private static double reflect(double x, double min, double max) {
        double range = max - min;
        if (range == 0) {
            return 0;
        }
        double distance = x < min ? min - x : x - max;
        long flips = (long) (distance / range);
        double r = distance - flips * range;
        boolean fromMin = x < min == (flips % 2 == 0);
        return fromMin ? min + r : max - r;
    }
}
