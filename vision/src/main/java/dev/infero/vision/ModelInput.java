package dev.infero.vision;

import dev.infero.api.Model;
import dev.infero.core.InferoException;
import dev.infero.core.device.PortInfo;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.PartialShape;

/**
 * The image input of a vision model: its size and layout (NCHW or NHWC, 3 channels, batch 1), the value range and
 * channel order it wants. {@link #sample} fills such an input from any (rotated) rectangle of an image.
 *
 * @param height          input height in pixels
 * @param width           input width in pixels
 * @param channelsFirst   NCHW ({@code true}) or NHWC
 * @param range           pixel value mapping
 * @param reverseChannels feed BGR instead of RGB (a model converted with {@code --reverse_input_channels})
 */
public record ModelInput(int height, int width, boolean channelsFirst, InputRange range, boolean reverseChannels) {
    /** Supersampling cap per axis when a crop is shrunk a lot (anti-aliasing). */
    private static final int MAX_SUPERSAMPLING = 8;

    /**
     * The input of {@code port}: a static {@code [1,3,H,W]} or {@code [1,H,W,3]} shape.
     *
     * @param range value range to feed
     * @param reverseChannels feed BGR
     */
    public static ModelInput of(PortInfo port, InputRange range, boolean reverseChannels) {
        PartialShape s = port.shape();
        if (!s.hasRank() || s.rank() != 4 || !s.isStatic()) {
            throw new InferoException("input '" + port.name() + "' has shape " + s
                    + "; an image model needs a static [1,3,H,W] or [1,H,W,3] input");
        }
        if (s.dim(0) != 1) {
            throw new InferoException("input '" + port.name() + "' has batch " + s.dim(0) + "; expected 1");
        }
        if (s.dim(1) == 3) {
            return new ModelInput(s.dim(2), s.dim(3), true, range, reverseChannels);
        }
        if (s.dim(3) == 3) {
            return new ModelInput(s.dim(1), s.dim(2), false, range, reverseChannels);
        }
        throw new InferoException("input '" + port.name() + "' has shape " + s + "; expected 3 channels ([1,3,H,W] "
                + "or [1,H,W,3])");
    }

    /** Like {@link #of(PortInfo, InputRange, boolean)}, the range and channel order detected from the model. */
    public static ModelInput of(Model model, InputRange fallback) {
        boolean reverse = Boolean.parseBoolean(model.graph().metadata()
                .getOrDefault("conversion_parameters/reverse_input_channels", "false"));
        return of(model.inputs().get(0), InputRange.detect(model, fallback), reverse);
    }

    /**
     * Samples {@code rect} of {@code image} into a new input tensor: output pixel {@code (u, v)} takes the image at
     * the rectangle's point {@code ((u+0.5)/width, (v+0.5)/height)}, bilinear, black outside the image; a rectangle
     * much larger than the input is averaged over up to 8×8 samples per pixel so small faces do not alias.
     */
    public Tensor sample(RgbImage image, RotatedRect rect) {
        int plane = height * width;
        float[] out = new float[3 * plane];
        int ss = (int) Math.clamp(Math.ceil(Math.max(rect.width() / width, rect.height() / height)), 1,
                MAX_SUPERSAMPLING);
        double cos = Math.cos(rect.rotation());
        double sin = Math.sin(rect.rotation());
        double stepX = rect.width() / width;
        double stepY = rect.height() / height;
        float[] rgb = new float[3];
        float[] acc = new float[3];
        float norm = 1f / (ss * ss);
        for (int v = 0; v < height; v++) {
            for (int u = 0; u < width; u++) {
                acc[0] = acc[1] = acc[2] = 0;
                for (int sy = 0; sy < ss; sy++) {
                    double dy = (v + (sy + 0.5) / ss) * stepY - rect.height() / 2;
                    for (int sx = 0; sx < ss; sx++) {
                        double dx = (u + (sx + 0.5) / ss) * stepX - rect.width() / 2;
                        double x = rect.centerX() + dx * cos - dy * sin;
                        double y = rect.centerY() + dx * sin + dy * cos;
                        bilinear(image, x - 0.5, y - 0.5, rgb);
                        acc[0] += rgb[0];
                        acc[1] += rgb[1];
                        acc[2] += rgb[2];
                    }
                }
                int p = v * width + u;
                for (int c = 0; c < 3; c++) {
                    float value = range.apply(acc[reverseChannels ? 2 - c : c] * norm);
                    out[channelsFirst ? c * plane + p : p * 3 + c] = value;
                }
            }
        }
        return channelsFirst ? Tensor.of(out, 1, 3, height, width) : Tensor.of(out, 1, height, width, 3);
    }

    /** Bilinear sample at pixel-index coordinates; neighbours outside the image count as black. */
    private static void bilinear(RgbImage image, double x, double y, float[] rgb) {
        int x0 = (int) Math.floor(x);
        int y0 = (int) Math.floor(y);
        float fx = (float) (x - x0);
        float fy = (float) (y - y0);
        rgb[0] = rgb[1] = rgb[2] = 0;
        accumulate(image, x0, y0, (1 - fx) * (1 - fy), rgb);
        accumulate(image, x0 + 1, y0, fx * (1 - fy), rgb);
        accumulate(image, x0, y0 + 1, (1 - fx) * fy, rgb);
        accumulate(image, x0 + 1, y0 + 1, fx * fy, rgb);
    }

    private static void accumulate(RgbImage image, int x, int y, float w, float[] rgb) {
        if (w == 0 || x < 0 || y < 0 || x >= image.width() || y >= image.height()) {
            return;
        }
        int p = image.rgb(x, y);
        rgb[0] += w * ((p >> 16) & 0xFF);
        rgb[1] += w * ((p >> 8) & 0xFF);
        rgb[2] += w * (p & 0xFF);
    }
}
