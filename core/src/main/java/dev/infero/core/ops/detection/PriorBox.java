package dev.infero.core.ops.detection;

import dev.infero.core.op.Attribute;
import dev.infero.core.op.AttributeSource;
import dev.infero.core.op.OpSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * PriorBox-1 and PriorBox-8: SSD default boxes of the given sizes and aspect ratios at every cell of a feature map,
 * normalised to the image size.
 *
 * <p>At cell (h, w) the centre is ((w + 0.5)·IW/W, (h + 0.5)·IH/H) when {@code step} is 0, else
 * ((w + offset)·step, (h + offset)·step). For each {@code min_size} s the cell gets the square s×s, the square
 * √(s·max_size)×√(s·max_size) when a matching {@code max_size} exists, and one box s·√ar × s/√ar for every aspect
 * ratio ar ≠ 1 (ratios are de-duplicated, 1 comes first, {@code flip} adds each 1/ar right after ar). PriorBox-1
 * always puts the max-size square before the ratio boxes (Caffe order); PriorBox-8's
 * {@code min_max_aspect_ratios_order=false} puts it after them. Without {@code scale_all_sizes} (MXNet's variant)
 * only the last min size gets ratio boxes, min sizes and step are fractions of the image height, and step -1 means
 * IH/H. {@code fixed_size} with {@code density} (and optionally {@code fixed_ratio}) generate density² shifted boxes
 * per size and ratio, clipped to the image, before the min-size boxes. {@code clip} clips every coordinate to [0,1].
 */
public final class PriorBox extends PriorGenerator {
    private static final Attribute<PriorBox, float[]> MIN_SIZE = Attribute.<PriorBox>numbers("min_size",
            p -> p.attrs.minSize()).orElse(new float[0]);
    private static final Attribute<PriorBox, float[]> MAX_SIZE = Attribute.<PriorBox>numbers("max_size",
            p -> p.attrs.maxSize()).orElse(new float[0]);
    private static final Attribute<PriorBox, float[]> ASPECT_RATIO = Attribute.<PriorBox>numbers("aspect_ratio",
            p -> p.attrs.aspectRatio()).orElse(new float[0]);
    private static final Attribute<PriorBox, float[]> DENSITY = Attribute.<PriorBox>numbers("density",
            p -> p.attrs.density()).orElse(new float[0]);
    private static final Attribute<PriorBox, float[]> FIXED_RATIO = Attribute.<PriorBox>numbers("fixed_ratio",
            p -> p.attrs.fixedRatio()).orElse(new float[0]);
    private static final Attribute<PriorBox, float[]> FIXED_SIZE = Attribute.<PriorBox>numbers("fixed_size",
            p -> p.attrs.fixedSize()).orElse(new float[0]);
    private static final Attribute<PriorBox, Boolean> CLIP = Attribute.<PriorBox>bool("clip",
            p -> p.attrs.clip()).orElse(false);
    private static final Attribute<PriorBox, Boolean> FLIP = Attribute.<PriorBox>bool("flip",
            p -> p.attrs.flip()).orElse(false);
    private static final Attribute<PriorBox, Double> STEP = Attribute.<PriorBox>number("step",
            p -> (double) p.attrs.step()).orElse(0.0);
    private static final Attribute<PriorBox, Double> OFFSET = Attribute.<PriorBox>number("offset",
            p -> (double) p.attrs.offset());
    private static final Attribute<PriorBox, float[]> VARIANCE = Attribute.<PriorBox>numbers("variance",
            p -> p.attrs.variance()).orElse(new float[0]);
    private static final Attribute<PriorBox, Boolean> SCALE_ALL_SIZES = Attribute.<PriorBox>bool("scale_all_sizes",
            p -> p.attrs.scaleAllSizes()).orElse(true);
    private static final Attribute<PriorBox, Boolean> MIN_MAX_ORDER =
            Attribute.<PriorBox>bool("min_max_aspect_ratios_order", p -> p.minMaxAspectRatiosOrder).orElse(true);
    public static final OpSpec<PriorBox> SPEC_1 = OpSpec.of(PriorBox.class, "PriorBox", "opset1",
            a -> v1(Attributes.read(a)), MIN_SIZE, MAX_SIZE, ASPECT_RATIO, DENSITY, FIXED_RATIO, FIXED_SIZE, CLIP,
            FLIP, STEP, OFFSET, VARIANCE, SCALE_ALL_SIZES);
    public static final OpSpec<PriorBox> SPEC_8 = OpSpec.of(PriorBox.class, "PriorBox", "opset8",
            a -> v8(Attributes.read(a), MIN_MAX_ORDER.read(a)), MIN_SIZE, MAX_SIZE, ASPECT_RATIO, DENSITY,
            FIXED_RATIO, FIXED_SIZE, CLIP, FLIP, STEP, OFFSET, VARIANCE, SCALE_ALL_SIZES, MIN_MAX_ORDER);

    /** The attributes of PriorBox-1 (PriorBox-8 adds {@code min_max_aspect_ratios_order}). */
    public record Attributes(float[] minSize, float[] maxSize, float[] aspectRatio, float[] density,
                             float[] fixedRatio, float[] fixedSize, boolean clip, boolean flip, float step,
                             float offset, float[] variance, boolean scaleAllSizes) {
        /** Reads the attributes with the spec's defaults; {@code offset} is required. */
        public static Attributes read(AttributeSource a) {
            return new Attributes(MIN_SIZE.read(a), MAX_SIZE.read(a), ASPECT_RATIO.read(a), DENSITY.read(a),
                    FIXED_RATIO.read(a), FIXED_SIZE.read(a), CLIP.read(a), FLIP.read(a), (float) (double) STEP.read(a),
                    (float) (double) OFFSET.read(a), VARIANCE.read(a), SCALE_ALL_SIZES.read(a));
        }
    }

    private final Attributes attrs;
    private final int opset;
    private final boolean minMaxAspectRatiosOrder;
    /** The aspect ratios in generation order: 1, then each new ratio (and its flip). */
    private final float[] ratios;

    private PriorBox(Attributes attrs, int opset, boolean minMaxAspectRatiosOrder) {
        this.attrs = attrs;
        this.opset = opset;
        this.minMaxAspectRatiosOrder = minMaxAspectRatiosOrder;
        this.ratios = generationRatios(attrs.aspectRatio(), attrs.flip());
    }

    public static PriorBox v1(Attributes attrs) {
        return new PriorBox(attrs, 1, true);
    }

    public static PriorBox v8(Attributes attrs, boolean minMaxAspectRatiosOrder) {
        return new PriorBox(attrs, 8, minMaxAspectRatiosOrder);
    }

    public Attributes attributes() {
        return attrs;
    }

    @Override
    public OpSpec<PriorBox> spec() {
        return opset >= 8 ? SPEC_8 : SPEC_1;
    }

    @Override
    float[] variance() {
        return attrs.variance();
    }

    private static float[] generationRatios(float[] aspectRatio, boolean flip) {
        List<Float> out = new ArrayList<>(List.of(1f));
        for (float ar : aspectRatio) {
            if (out.stream().anyMatch(r -> Math.abs(ar - r) < 1e-6)) {
                continue;
            }
            out.add(ar);
            if (flip) {
                out.add(1 / ar);
            }
        }
        float[] r = new float[out.size()];
        for (int i = 0; i < r.length; i++) {
            r[i] = out.get(i);
        }
        return r;
    }

    /**
     * The number of priors per cell as OpenVINO's shape inference counts it: distinct ratios (rounded to 1e-6, with
     * flips and 1) times min sizes plus max sizes; or, without {@code scale_all_sizes}, ratios + min sizes - 1; or,
     * with fixed sizes, ratios × fixed sizes; plus (density² - 1) per density for each ratio (or fixed ratio).
     */
    @Override
    int priorsPerCell() {
        TreeSet<Double> unique = new TreeSet<>(List.of(1.0));
        for (float ar : attrs.aspectRatio()) {
            unique.add(Math.round(ar * 1e6) / 1e6);
            if (attrs.flip()) {
                unique.add(Math.round(1 / ar * 1e6) / 1e6);
            }
        }
        long ratioCount = unique.size();
        long n = attrs.scaleAllSizes() ? ratioCount * attrs.minSize().length + attrs.maxSize().length
                : ratioCount + attrs.minSize().length - 1;
        if (attrs.fixedSize().length > 0) {
            n = ratioCount * attrs.fixedSize().length;
        }
        for (float d : attrs.density()) {
            long density = (long) d;
            n += (attrs.fixedRatio().length > 0 ? attrs.fixedRatio().length : ratioCount) * (density * density - 1);
        }
        return (int) n;
    }

    /** The number of boxes the kernel writes per cell; must agree with {@link #priorsPerCell()}. */
    private long boxesWrittenPerCell() {
        long n = 0;
        for (int s = 0; s < attrs.fixedSize().length; s++) {
            long density = (long) attrs.density()[s];
            n += density * density * (attrs.fixedRatio().length > 0 ? attrs.fixedRatio().length : ratios.length);
        }
        int minSizes = attrs.minSize().length;
        n += minSizes + Math.min(minSizes, attrs.maxSize().length);
        if (minSizes > 0) {
            n += (long) (ratios.length - 1) * (attrs.scaleAllSizes() ? minSizes : 1);
        }
        return n;
    }

    @Override
    String attributeProblem() {
        String problem = super.attributeProblem();
        if (problem != null) {
            return problem;
        }
        if (attrs.fixedSize().length > 0 && attrs.density().length != attrs.fixedSize().length) {
            return "density must have one value per fixed_size, got " + attrs.density().length + " for "
                    + attrs.fixedSize().length;
        }
        if (boxesWrittenPerCell() != priorsPerCell()) {
            return "attributes give " + boxesWrittenPerCell() + " boxes per cell but OpenVINO's output shape counts "
                    + priorsPerCell() + "; this combination of min_size, max_size, fixed_size, fixed_ratio and density"
                    + " is not supported";
        }
        return null;
    }

    @Override
    void generateBoxes(int h, int w, int imageH, int imageW, float[] out) {
        float step = attrs.step();
        float[] minSize = attrs.minSize().clone();
        if (!attrs.scaleAllSizes()) {
            // MXNet's PriorBox: sizes and step are fractions of the image height.
            step = step == -1 ? (float) imageH / h : step * imageH;
            for (int i = 0; i < minSize.length; i++) {
                minSize[i] *= imageH;
            }
        }
        Boxes boxes = new Boxes(out, 1f / imageW, 1f / imageH);
        float stepX = step == 0 ? (float) imageW / w : step;
        float stepY = step == 0 ? (float) imageH / h : step;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                float cx = step == 0 ? (x + 0.5f) * stepX : (attrs.offset() + x) * step;
                float cy = step == 0 ? (y + 0.5f) * stepY : (attrs.offset() + y) * step;
                fixedSizeBoxes(boxes, cx, cy);
                minSizeBoxes(boxes, cx, cy, minSize);
            }
        }
        if (attrs.clip()) {
            for (int i = 0; i < boxes.written; i++) {
                out[i] = Math.min(Math.max(out[i], 0f), 1f);
            }
        }
    }

    private void fixedSizeBoxes(Boxes boxes, float cx, float cy) {
        float[] fixedSize = attrs.fixedSize();
        for (int s = 0; s < fixedSize.length; s++) {
            float[] boxRatios = attrs.fixedRatio().length > 0 ? attrs.fixedRatio() : ratios;
            for (float ar : boxRatios) {
                if (boxRatios == ratios && ar == 1f) {
                    // The square uses the size truncated to an integer, as the reference does.
                    float half = (long) fixedSize[s] * 0.5f;
                    densityGrid(boxes, cx, cy, s, half, half);
                    continue;
                }
                float halfW = fixedSize[s] * 0.5f * (float) Math.sqrt(ar);
                float halfH = fixedSize[s] * 0.5f / (float) Math.sqrt(ar);
                densityGrid(boxes, cx, cy, s, halfW, halfH);
            }
        }
    }

    /** density² boxes spread over the fixed-size square around the centre, clipped to the image. */
    private void densityGrid(Boxes boxes, float cx, float cy, int s, float halfW, float halfH) {
        long density = (long) attrs.density()[s];
        long fixedSize = (long) attrs.fixedSize()[s];
        long shift = (long) (attrs.fixedSize()[s] / density);
        for (long r = 0; r < density; r++) {
            for (long c = 0; c < density; c++) {
                // Integer division of the size, as the reference does.
                float x = cx - fixedSize / 2 + shift / 2f + c * shift;
                float y = cy - fixedSize / 2 + shift / 2f + r * shift;
                boxes.addClipped(x, y, halfW, halfH);
            }
        }
    }

    private void minSizeBoxes(Boxes boxes, float cx, float cy, float[] minSize) {
        float[] maxSize = attrs.maxSize();
        for (int i = 0; i < minSize.length; i++) {
            boxes.add(cx, cy, minSize[i] * 0.5f, minSize[i] * 0.5f);
            if (minMaxAspectRatiosOrder) {
                maxSizeBox(boxes, cx, cy, minSize, maxSize, i);
                ratioBoxes(boxes, cx, cy, minSize, i);
            } else {
                ratioBoxes(boxes, cx, cy, minSize, i);
                maxSizeBox(boxes, cx, cy, minSize, maxSize, i);
            }
        }
    }

    private static void maxSizeBox(Boxes boxes, float cx, float cy, float[] minSize, float[] maxSize, int i) {
        if (i < maxSize.length) {
            float half = (float) Math.sqrt(minSize[i] * maxSize[i]) * 0.5f;
            boxes.add(cx, cy, half, half);
        }
    }

    private void ratioBoxes(Boxes boxes, float cx, float cy, float[] minSize, int i) {
        if (!attrs.scaleAllSizes() && i != minSize.length - 1) {
            return;
        }
        float size = minSize[attrs.scaleAllSizes() ? i : 0];
        for (float ar : ratios) {
            if (Math.abs(ar - 1f) < 1e-6) {
                continue;
            }
            float root = (float) Math.sqrt(ar);
            boxes.add(cx, cy, size * 0.5f * root, size * 0.5f / root);
        }
    }

    /** Appends boxes (xmin, ymin, xmax, ymax) normalised by the image size. */
    private static final class Boxes {
        private final float[] out;
        private final float invW;
        private final float invH;
        private int written;

        Boxes(float[] out, float invW, float invH) {
            this.out = out;
            this.invW = invW;
            this.invH = invH;
        }

        void add(float cx, float cy, float halfW, float halfH) {
            out[written++] = (cx - halfW) * invW;
            out[written++] = (cy - halfH) * invH;
            out[written++] = (cx + halfW) * invW;
            out[written++] = (cy + halfH) * invH;
        }

        /** A box kept inside the image: minimum corner at least 0, maximum corner at most 1. */
        void addClipped(float cx, float cy, float halfW, float halfH) {
            out[written++] = Math.max((cx - halfW) * invW, 0f);
            out[written++] = Math.max((cy - halfH) * invH, 0f);
            out[written++] = Math.min((cx + halfW) * invW, 1f);
            out[written++] = Math.min((cy + halfH) * invH, 1f);
        }
    }
}
