package dev.infero.vision;

import dev.infero.api.io.Npy;
import dev.infero.core.InferoException;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * SSD anchor boxes, each {@code (x_center, y_center, width, height)} in normalized input coordinates, as MediaPipe's
 * {@code SsdAnchorsCalculator} makes them. BlazeFace's front-camera model has 896 of them.
 */
public final class Anchors {
    private final float[] values;

    private Anchors(float[] values) {
        this.values = values;
    }

    /** Anchors from an {@code N×4} float array. */
    public static Anchors of(float[] values) {
        if (values.length == 0 || values.length % 4 != 0) {
            throw new InferoException("anchors need 4 values each (x_center, y_center, width, height), got "
                    + values.length + " values");
        }
        return new Anchors(values.clone());
    }

    /** Anchors from an {@code .npy} file of shape {@code [N,4]} (BlazeFace's {@code anchors.npy}). */
    public static Anchors load(Path npy) {
        Tensor t = Npy.read(npy);
        if (t.rank() != 2 || t.dim(1) != 4) {
            throw new InferoException("anchors file " + npy + " holds shape " + java.util.Arrays.toString(t.shape())
                    + "; expected [N,4] (x_center, y_center, width, height)");
        }
        return new Anchors(t.type() == ElementType.F32 ? t.floats().clone() : t.toFloatArray());
    }

    /**
     * The anchors of MediaPipe's short-range (front camera) face detector, 128×128: strides 8, 16, 16, 16, two
     * anchors per position and layer (layers of equal stride share a grid), fixed size 1, offsets 0.5 — 896 anchors.
     */
    public static Anchors blazeFaceFront() {
        return ssd(128, 128, new int[] {8, 16, 16, 16}, 2);
    }

    /**
     * {@code SsdAnchorsCalculator} with {@code fixed_anchor_size: true}, aspect ratio 1 and
     * {@code interpolated_scale_aspect_ratio: 1} (two anchors per layer and position), offsets 0.5: consecutive
     * layers with the same stride are merged into one grid with their anchors side by side.
     */
    public static Anchors ssd(int inputWidth, int inputHeight, int[] strides, int anchorsPerLayer) {
        List<Float> out = new ArrayList<>();
        int layer = 0;
        while (layer < strides.length) {
            int repeats = 0;
            int last = layer;
            while (last < strides.length && strides[last] == strides[layer]) {
                repeats += anchorsPerLayer;
                last++;
            }
            int stride = strides[layer];
            int rows = (int) Math.ceil((double) inputHeight / stride);
            int cols = (int) Math.ceil((double) inputWidth / stride);
            for (int y = 0; y < rows; y++) {
                for (int x = 0; x < cols; x++) {
                    for (int a = 0; a < repeats; a++) {
                        out.add((x + 0.5f) / cols);
                        out.add((y + 0.5f) / rows);
                        out.add(1f);
                        out.add(1f);
                    }
                }
            }
            layer = last;
        }
        float[] v = new float[out.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = out.get(i);
        }
        return new Anchors(v);
    }

    public int count() {
        return values.length / 4;
    }

    public float xCenter(int i) {
        return values[4 * i];
    }

    public float yCenter(int i) {
        return values[4 * i + 1];
    }

    public float width(int i) {
        return values[4 * i + 2];
    }

    public float height(int i) {
        return values[4 * i + 3];
    }
}
