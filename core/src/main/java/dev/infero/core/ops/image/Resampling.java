package dev.infero.core.ops.image;

import dev.infero.core.types.Shapes;

/**
 * The resampling of one axis from {@code inSize} to {@code outSize} points: for every output point, {@code taps}
 * input indices (clamped to the edge) with their weights, or a flag that the point lies outside the crop
 * (tf_crop_and_resize) and takes the extrapolation value. Follows the ONNX Resize reference: an input coordinate
 * {@code x} is split as {@code x = base + ratio} with {@code ratio} in (0, 1], and tap {@code i} reads index
 * {@code base + i}.
 */
final class Resampling {
    private final int outSize;
    private final int taps;
    private final int[] index;
    private final double[] weight;
    private final boolean[] outside;
    private final double extrapolationValue;

    private Resampling(int outSize, int taps, double extrapolationValue) {
        this.outSize = outSize;
        this.taps = taps;
        this.index = new int[outSize * taps];
        this.weight = new double[outSize * taps];
        this.outside = new boolean[outSize];
        this.extrapolationValue = extrapolationValue;
    }

    static Resampling of(Interpolate.Attributes a, int inSize, int outSize, double scale, double roiStart,
                         double roiEnd) {
        boolean nearest = a.mode().equals("nearest");
        boolean cubic = a.mode().equals("cubic");
        // Antialiasing stretches the kernel by 1/scale when downsampling.
        double kernelScale = a.antialias() && !nearest ? Math.min(scale, 1) : 1;
        int first = nearest ? 0 : (int) Math.floor(-(cubic ? 2 : 1) / kernelScale) + 1;
        int taps = nearest ? 1 : 2 - 2 * first;
        Resampling r = new Resampling(outSize, taps, a.extrapolationValue());
        double[] w = new double[taps];
        for (int o = 0; o < outSize; o++) {
            double x = inputCoordinate(a.coordinateMode(), o, inSize, outSize, scale, roiStart, roiEnd);
            if (a.coordinateMode().equals("tf_crop_and_resize") && (x < 0 || x > inSize - 1)) {
                r.outside[o] = true;
                continue;
            }
            double base = Math.ceil(x) - 1;
            double ratio = x - base;
            if (nearest) {
                r.index[o] = clamp(nearestIndex(a.nearestMode(), x, base, ratio, scale), inSize);
                r.weight[o] = 1;
                continue;
            }
            double sum = 0;
            for (int t = 0; t < taps; t++) {
                double arg = Math.abs((first + t - ratio) * kernelScale);
                w[t] = cubic ? cubic(arg, a.cubeCoeff()) : Math.max(0, 1 - arg);
                sum += w[t];
            }
            if (a.antialias()) {
                for (int t = 0; t < taps; t++) {
                    w[t] /= sum;
                }
            }
            if (a.excludeOutside()) {
                sum = 0;
                for (int t = 0; t < taps; t++) {
                    double idx = base + first + t;
                    w[t] = idx < 0 || idx >= inSize ? 0 : w[t];
                    sum += w[t];
                }
                for (int t = 0; t < taps; t++) {
                    w[t] /= sum;
                }
            }
            for (int t = 0; t < taps; t++) {
                r.index[o * taps + t] = clamp(base + first + t, inSize);
                r.weight[o * taps + t] = w[t];
            }
        }
        return r;
    }

    int taps() {
        return taps;
    }

    /** Per output point {@code o}, tap {@code t}'s input index at {@code o * taps + t} (a copy). */
    int[] index() {
        return index.clone();
    }

    /** Per output point {@code o}, tap {@code t}'s weight at {@code o * taps + t} (a copy). */
    double[] weight() {
        return weight.clone();
    }

    /** The ONNX/OpenVINO coordinate transformation of output point {@code x}. */
    static double inputCoordinate(String mode, int x, int inSize, int outSize, double scale, double roiStart,
                                  double roiEnd) {
        double outLength = scale * inSize;
        return switch (mode) {
            case "half_pixel" -> (x + 0.5) / scale - 0.5;
            case "pytorch_half_pixel" -> outLength > 1 ? (x + 0.5) / scale - 0.5 : 0;
            case "asymmetric" -> x / scale;
            case "tf_half_pixel_for_nn" -> (x + 0.5) / scale;
            case "align_corners" -> outLength == 1 ? 0 : x * (inSize - 1) / (outLength - 1);
            case "half_pixel_symmetric" -> {
                double adjustment = outSize / outLength;
                double offset = inSize / 2.0 * (1 - adjustment);
                yield offset + (x + 0.5) / scale - 0.5;
            }
            case "tf_crop_and_resize" -> {
                double span = (roiEnd - roiStart) * (inSize - 1);
                double start = roiStart * (inSize - 1);
                yield outLength == 1 ? start + span / 2 : start + x * span / (outLength - 1);
            }
            default -> throw new IllegalArgumentException("unknown coordinate_transformation_mode " + mode);
        };
    }

    private static double nearestIndex(String mode, double x, double base, double ratio, double scale) {
        if (ratio == 1) {
            return x; // an integral coordinate is its own nearest point
        }
        return switch (mode) {
            case "round_prefer_floor" -> ratio <= 0.5 ? base : base + 1;
            case "round_prefer_ceil" -> ratio < 0.5 ? base : base + 1;
            case "floor" -> base;
            case "ceil" -> base + 1;
            case "simple" -> scale < 1 ? base + 1 : base;
            default -> throw new IllegalArgumentException("unknown nearest_mode " + mode);
        };
    }

    /** Keys' cubic convolution kernel with coefficient {@code A} at distance {@code t >= 0}. */
    private static double cubic(double t, double A) {
        if (t <= 1) {
            return ((A + 2) * t - (A + 3)) * t * t + 1;
        }
        if (t < 2) {
            return ((A * t - 5 * A) * t + 8 * A) * t - 4 * A;
        }
        return 0;
    }

    private static int clamp(double i, int size) {
        return (int) Math.max(0, Math.min(size - 1, i));
    }

    /** Resamples axis {@code axis} of {@code data} (shape {@code shape}), returning the new elements. */
    double[] apply(double[] data, int[] shape, int axis) {
        int outer = Shapes.product(shape, 0, axis);
        int inSize = shape[axis];
        int inner = Shapes.product(shape, axis + 1, shape.length);
        double[] out = new double[outer * outSize * inner];
        for (int p = 0; p < outer; p++) {
            int src = p * inSize * inner;
            int dst = p * outSize * inner;
            for (int o = 0; o < outSize; o++) {
                int row = dst + o * inner;
                if (outside[o]) {
                    java.util.Arrays.fill(out, row, row + inner, extrapolationValue);
                    continue;
                }
                for (int t = 0; t < taps; t++) {
                    double w = weight[o * taps + t];
                    if (w == 0) {
                        continue;
                    }
                    int from = src + index[o * taps + t] * inner;
                    for (int i = 0; i < inner; i++) {
                        out[row + i] += w * data[from + i];
                    }
                }
            }
        }
        return out;
    }
}
