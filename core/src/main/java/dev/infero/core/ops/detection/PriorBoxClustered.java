package dev.infero.core.ops.detection;

import dev.infero.core.op.AttributeSink;
import dev.infero.core.op.AttributeSource;

/**
 * PriorBoxClustered-1: boxes of explicitly listed sizes ({@code width[i]} × {@code height[i]} pixels) centred at
 * ((w + offset)·step_w, (h + offset)·step_h) of every feature-map cell, normalised by the image size. A zero
 * {@code step_w}/{@code step_h} falls back to {@code step}; when both are still zero they become IW/W and IH/H.
 * {@code clip} (default true) clips each coordinate to [0,1].
 */
public final class PriorBoxClustered extends PriorGenerator {
    /** The attributes, in OpenVINO's names and order. */
    public record Attributes(float step, float stepW, float stepH, float[] width, float[] height, boolean clip,
                             float offset, float[] variance) {
        /** Reads the attributes with the spec's defaults; {@code offset} is required. */
        public static Attributes read(AttributeSource a) {
            float[] none = new float[0];
            return new Attributes((float) a.number("step", 0), (float) a.number("step_w", 0),
                    (float) a.number("step_h", 0), a.numbers("width", none), a.numbers("height", none),
                    a.bool("clip", true), (float) a.number("offset"), a.numbers("variance", none));
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
    public String type() {
        return "PriorBoxClustered";
    }

    @Override
    public void describe(AttributeSink sink) {
        sink.attribute("step", attrs.step());
        sink.attribute("step_w", attrs.stepW());
        sink.attribute("step_h", attrs.stepH());
        sink.attribute("width", attrs.width());
        sink.attribute("height", attrs.height());
        sink.attribute("clip", attrs.clip());
        sink.attribute("offset", attrs.offset());
        sink.attribute("variance", attrs.variance());
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
