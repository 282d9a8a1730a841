package dev.infero.core.ops.detection;

import dev.infero.core.op.Attribute;
import dev.infero.core.op.AttributeSource;
import dev.infero.core.op.OpSpec;

/**
 * PriorBoxClustered-1: boxes of explicitly listed sizes ({@code width[i]} × {@code height[i]} pixels) centred at
 * ((w + offset)·step_w, (h + offset)·step_h) of every feature-map cell, normalised by the image size. A zero
 * {@code step_w}/{@code step_h} falls back to {@code step}; when both are still zero they become IW/W and IH/H.
 * {@code clip} (default true) clips each coordinate to [0,1].
 */
public final class PriorBoxClustered extends PriorGenerator {
    private static final Attribute<PriorBoxClustered, Double> STEP = Attribute.<PriorBoxClustered>number("step",
            p -> (double) p.attrs.step()).orElse(0.0);
    private static final Attribute<PriorBoxClustered, Double> STEP_W = Attribute.<PriorBoxClustered>number("step_w",
            p -> (double) p.attrs.stepW()).orElse(0.0);
    private static final Attribute<PriorBoxClustered, Double> STEP_H = Attribute.<PriorBoxClustered>number("step_h",
            p -> (double) p.attrs.stepH()).orElse(0.0);
    private static final Attribute<PriorBoxClustered, float[]> WIDTH = Attribute.<PriorBoxClustered>numbers("width",
            p -> p.attrs.width()).orElse(new float[0]);
    private static final Attribute<PriorBoxClustered, float[]> HEIGHT = Attribute.<PriorBoxClustered>numbers("height",
            p -> p.attrs.height()).orElse(new float[0]);
    private static final Attribute<PriorBoxClustered, Boolean> CLIP = Attribute.<PriorBoxClustered>bool("clip",
            p -> p.attrs.clip()).orElse(true);
    private static final Attribute<PriorBoxClustered, Double> OFFSET = Attribute.<PriorBoxClustered>number("offset",
            p -> (double) p.attrs.offset());
    private static final Attribute<PriorBoxClustered, float[]> VARIANCE =
            Attribute.<PriorBoxClustered>numbers("variance", p -> p.attrs.variance()).orElse(new float[0]);
    public static final OpSpec<PriorBoxClustered> SPEC = OpSpec.of(PriorBoxClustered.class, "PriorBoxClustered",
            "opset1", a -> new PriorBoxClustered(Attributes.read(a)), STEP, STEP_W, STEP_H, WIDTH, HEIGHT, CLIP,
            OFFSET, VARIANCE);

    /** The attributes, in OpenVINO's names and order. */
    public record Attributes(float step, float stepW, float stepH, float[] width, float[] height, boolean clip,
                             float offset, float[] variance) {
        /** Reads the attributes with the spec's defaults; {@code offset} is required. */
        public static Attributes read(AttributeSource a) {
            return new Attributes((float) (double) STEP.read(a), (float) (double) STEP_W.read(a),
                    (float) (double) STEP_H.read(a), WIDTH.read(a), HEIGHT.read(a), CLIP.read(a),
                    (float) (double) OFFSET.read(a), VARIANCE.read(a));
        }
    }

    private final Attributes attrs;

    public PriorBoxClustered(Attributes attrs) {
        this.attrs = attrs;
    }

    public Attributes attributes() {
        return attrs;
    }

    @Override
    float[] variance() {
        return attrs.variance();
    }

    @Override
    int priorsPerCell() {
        return attrs.width().length;
    }

    @Override
    String attributeProblem() {
        String problem = super.attributeProblem();
        if (problem == null && attrs.width().length != attrs.height().length) {
            return "width has " + attrs.width().length + " values but height has " + attrs.height().length;
        }
        return problem;
    }

    @Override
    void generateBoxes(int h, int w, int imageH, int imageW, float[] out) {
        float stepW = attrs.stepW() == 0 ? attrs.step() : attrs.stepW();
        float stepH = attrs.stepH() == 0 ? attrs.step() : attrs.stepH();
        if (stepW == 0 && stepH == 0) {
            stepW = (float) imageW / w;
            stepH = (float) imageH / h;
        }
        int i = 0;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                float cx = (x + attrs.offset()) * stepW;
                float cy = (y + attrs.offset()) * stepH;
                for (int s = 0; s < attrs.width().length; s++) {
                    float halfW = attrs.width()[s] / 2f;
                    float halfH = attrs.height()[s] / 2f;
                    out[i++] = clip((cx - halfW) / imageW);
                    out[i++] = clip((cy - halfH) / imageH);
                    out[i++] = clip((cx + halfW) / imageW);
                    out[i++] = clip((cy + halfH) / imageH);
                }
            }
        }
    }

    private float clip(float v) {
        return attrs.clip() ? Math.min(Math.max(v, 0f), 1f) : v;
    }
}
