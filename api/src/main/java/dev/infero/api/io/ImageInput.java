package dev.infero.api.io;

import dev.infero.core.InferoException;
import dev.infero.core.InvalidInputException;
import dev.infero.core.ResourceLimitException;
import dev.infero.core.ResourceLimits;
import dev.infero.core.tensor.Tensor;
import dev.infero.transforms.EmbedPreprocessing;
import dev.infero.core.types.ElementType;
import dev.infero.core.types.PartialShape;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.awt.image.PixelInterleavedSampleModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * Turns an image file (PNG, JPEG, BMP, anything {@link ImageIO} decodes) into a model input: resized to the input's
 * height and width with bilinear interpolation (half-pixel centres, as OpenCV's {@code INTER_LINEAR}), laid out as
 * the input's shape says, RGB channel order and values 0..255 unless preprocessing says otherwise.
 *
 * <p>Layout: a 4-D input {@code [N,C,H,W]} is channels-first when dimension 1 is 1 or 3, {@code [N,H,W,C]} when the
 * last dimension is 1 or 3 (a 3-D input likewise without N). One channel means grayscale (ITU-R BT.601 luma).
 * Dynamic H or W take the image's own size; a dynamic N is 1.
 */
public final class ImageInput {
    /**
     * Per-channel normalisation {@code (value - mean[c]) / scale[c]}, applied after channels are reversed, so both are
     * given in the order the model sees its channels. A single value applies to every channel.
     */
    public record Preprocessing(float[] mean, float[] scale, boolean reverseChannels) {
        /** @throws InvalidInputException when a value is not finite or a scale is 0 */
        public Preprocessing {
            EmbedPreprocessing.checkValues("mean", mean, false);
            EmbedPreprocessing.checkValues("scale", scale, true);
        }

        public static final Preprocessing NONE = new Preprocessing(new float[] {0}, new float[] {1}, false);
    }

    private record Layout(boolean channelsFirst, boolean batched, int channels, int height, int width) {
    }

    /**
     * A decoded image as float R, G, B planes (row-major, values 0..255), for callers that transform it (resize
     * keeping the aspect ratio, crop) before it becomes a model input, as the Accuracy Checker's preprocessing does.
     */
    public record Planes(int width, int height, float[][] rgb) {
        /** Decodes {@code file}; one clear error naming it when it is missing or not an image. */
        public static Planes read(Path file) {
            BufferedImage image = decode(file, 0, 0);
            return new Planes(image.getWidth(), image.getHeight(), rgbPlanes(image));
        }

        /** A grey image (all three planes equal), e.g. an MNIST digit. */
        public static Planes gray(int width, int height, float[] values) {
            return new Planes(width, height, new float[][] {values, values, values});
        }

        /** Bilinear resize (half-pixel centres, as {@link ImageInput#load} does). */
        public Planes resize(int w, int h) {
            if (w <= 0 || h <= 0) {
                throw new InferoException("cannot resize an image to " + w + "x" + h);
            }
            float[][] out = new float[3][];
            for (int c = 0; c < 3; c++) {
                out[c] = c > 0 && rgb[c] == rgb[c - 1] ? out[c - 1] : ImageInput.resize(rgb[c], width, height, w, h);
            }
            return new Planes(w, h, out);
        }

        /**
         * The {@code w × h} window whose top-left corner is at {@code (x, y)}; parts outside the image are zero (a
         * crop larger than the image pads, as OpenCV-based croppers do).
         */
        public Planes crop(int x, int y, int w, int h) {
            float[][] out = new float[3][w * h];
            for (int c = 0; c < 3; c++) {
                for (int row = 0; row < h; row++) {
                    int sy = y + row;
                    if (sy < 0 || sy >= height) {
                        continue;
                    }
                    for (int col = 0; col < w; col++) {
                        int sx = x + col;
                        if (sx >= 0 && sx < width) {
                            out[c][row * w + col] = rgb[c][sy * width + sx];
                        }
                    }
                }
            }
            return new Planes(w, h, out);
        }
    }

    private ImageInput() {
    }

    /** Reads {@code file} as an input of {@code type} and {@code shape} (the model input's, possibly dynamic). */
    public static Tensor load(Path file, ElementType type, PartialShape shape, Preprocessing prep) {
        int[] size = modelSize(shape);
        BufferedImage image = decode(file, size[1], size[0]);
        return load(new Planes(image.getWidth(), image.getHeight(), rgbPlanes(image)), type, shape, prep);
    }

    /**
     * Decodes an image held in memory (the bytes of a PNG, JPEG, BMP or GIF file, as Spark's {@code binaryFile}
     * source reads them) as an input of {@code type} and {@code shape}; {@code name} (a path or row id) is what
     * errors mention. The same size limit as for files applies.
     */
    public static Tensor load(byte[] bytes, String name, ElementType type, PartialShape shape, Preprocessing prep) {
        int[] size = modelSize(shape);
        BufferedImage image = decode(bytes, name, size[1], size[0]);
        return load(new Planes(image.getWidth(), image.getHeight(), rgbPlanes(image)), type, shape, prep);
    }

    /** As {@link #load(Path, ElementType, PartialShape, Preprocessing)}, from an image already decoded. */
    public static Tensor load(Planes image, ElementType type, PartialShape shape, Preprocessing prep) {
        Layout layout = layout(shape, image.height(), image.width());
        int h = layout.height();
        int w = layout.width();
        float[][] planes = image.rgb();
        int c = layout.channels();
        float[] mean = perChannel(prep.mean(), c, "mean");
        float[] scale = perChannel(prep.scale(), c, "scale");
        int[] dims = layout.channelsFirst() ? new int[] {c, h, w} : new int[] {h, w, c};
        Tensor t = Tensor.allocate(ElementType.F32, layout.batched() ? prepend(dims) : dims);
        float[] out = t.floats();
        for (int ch = 0; ch < c; ch++) {
            float[] source = c == 1 ? luma(planes) : planes[prep.reverseChannels() ? 2 - ch : ch];
            float[] resized = resize(source, image.width(), image.height(), w, h);
            for (int p = 0; p < h * w; p++) {
                float v = (resized[p] - mean[ch]) / scale[ch];
                out[layout.channelsFirst() ? ch * h * w + p : p * c + ch] = v;
            }
        }
        if (type == ElementType.F32) {
            return t;
        }
        if (!type.isFloating()) {
            for (int i = 0; i < out.length; i++) {
                out[i] = Math.round(out[i]);
            }
        }
        return t.convertTo(type);
    }

    /**
     * Largest image decoded whole, in pixels (width × height from the file's header). A larger image fed to a model
     * input of static height and width is decoded with subsampling (every n-th pixel of every n-th row) to about
     * twice the model's size (see {@link #subsampling}, which does so for any image over twice the model's size);
     * otherwise it is refused.
     */
    public static final long MAX_PIXELS = 100_000_000L;

    /**
     * Decodes an image file (PNG, JPEG, BMP, GIF) for tools that process the picture themselves (cropping,
     * drawing). The size is read from the header first: images over {@link #MAX_PIXELS} are refused before any pixel
     * memory is allocated.
     *
     * @throws InferoException naming the file when it is missing, not an image, truncated or too large
     */
    public static BufferedImage read(Path file) {
        return decode(file, 0, 0);
    }

    /** Decodes {@code file}; {@code width × height}: the model's input size, 0 when unknown ({@link #MAX_PIXELS}). */
    static BufferedImage decode(Path file, int width, int height) {
        if (!Files.isRegularFile(file)) {
            throw new InferoException("image file " + file + " does not exist");
        }
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            return decode(in, file.toString(), width, height);
        } catch (IOException e) {
            throw new InferoException("cannot decode image " + file + ": " + e.getMessage(), e);
        }
    }

    static BufferedImage decode(byte[] bytes, String name) {
        return decode(bytes, name, 0, 0);
    }

    static BufferedImage decode(byte[] bytes, String name, int width, int height) {
        if (bytes == null || bytes.length == 0) {
            throw new InvalidInputException("image " + name + " is empty (0 bytes)");
        }
        try (ImageInputStream in = ImageIO.createImageInputStream(new java.io.ByteArrayInputStream(bytes))) {
            return decode(in, name, width, height);
        } catch (IOException e) {
            throw new InferoException("cannot decode image " + name + ": " + e.getMessage(), e);
        }
    }

    /** Decodes from {@code in}, reading the size from the header first; {@code file} names the source in errors. */
    private static BufferedImage decode(ImageInputStream in, String file, int targetWidth, int targetHeight) {
        BufferedImage image;
        try {
            Iterator<ImageReader> readers = in == null ? null : ImageIO.getImageReaders(in);
            if (readers == null || !readers.hasNext()) {
                throw new InvalidInputException(file + " is not an image in a supported format (PNG, JPEG, BMP, GIF)");
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                int w = reader.getWidth(0);
                int h = reader.getHeight(0);
                long pixels = (long) w * h;
                if (pixels <= 0) {
                    throw new InvalidInputException("image " + file + " declares a size of " + w + "×" + h
                            + " pixels");
                }
                int[] steps = subsampling(w, h, targetWidth, targetHeight);
                int xStep = steps[0];
                int yStep = steps[1];
                if ((long) ((w + xStep - 1) / xStep) * ((h + yStep - 1) / yStep) > MAX_PIXELS) {
                    throw new ResourceLimitException("image " + file + " is " + w + "×" + h + " pixels; at most "
                            + MAX_PIXELS + " pixels are decoded"
                            + (targetWidth > 0 ? ", or subsampled while it stays at least the model's " + targetWidth
                            + "×" + targetHeight : ""));
                }
                int sw = (w + xStep - 1) / xStep;
                int sh = (h + yStep - 1) / yStep;
                // The decoded image (4 bytes a pixel) and its three float planes (12).
                ResourceLimits.current().checkTensorBytes("image " + file + " (" + sw + "×" + sh + " pixels decoded)",
                        (long) sw * sh * 16);
                ImageReadParam param = reader.getDefaultReadParam();
                if (xStep > 1 || yStep > 1) {
                    param.setSourceSubsampling(xStep, yStep, 0, 0);
                }
                // JPEG and PNG readers report a truncated file as a warning and return the partial image.
                List<String> truncated = new ArrayList<>();
                reader.addIIOReadWarningListener((r, warning) -> {
                    if (warning != null && warning.toLowerCase(Locale.ROOT).matches(".*(premature end|truncat).*")) {
                        truncated.add(warning);
                    }
                });
                image = reader.read(0, param);
                if (!truncated.isEmpty()) {
                    throw new InvalidInputException("image " + file + " is truncated (" + truncated.get(0) + ")");
                }
            } finally {
                reader.dispose();
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof InferoException ie) {
                throw ie;
            }
            throw new InvalidInputException("cannot decode image " + file + ": " + e.getMessage(), e);
        }
        if (image == null) {
            throw new InvalidInputException(file + " is not an image in a supported format (PNG, JPEG, BMP, GIF)");
        }
        return image;
    }

    /**
     * The subsampling steps {@code {x, y}} (every x-th pixel of every y-th row) for a {@code w × h} image fed to a
     * model input of {@code targetWidth × targetHeight} (0 when unknown or dynamic). With the model's size known, each
     * axis keeps at least twice the model's size, what the bilinear resize to it then needs, and no more: a 4.9 Mpixel
     * photo (2560×1920) for a 224×224 input is decoded at 512×480, a 32662×150 strip at 454×150; an image smaller
     * than twice the model's size is decoded whole. Should that still leave more than {@link #MAX_PIXELS}, both steps
     * grow until it does not, as long as the model's size (or the image's, where smaller) remains; otherwise, and
     * without a model size, {1, 1} (decoded whole, so refused over {@link #MAX_PIXELS}).
     */
    public static int[] subsampling(int w, int h, int targetWidth, int targetHeight) {
        if (targetWidth <= 0 || targetHeight <= 0) {
            return new int[] {1, 1};
        }
        int x = (int) Math.max(1, w / (2L * targetWidth));
        int y = (int) Math.max(1, h / (2L * targetHeight));
        while ((long) ((w + x - 1) / x) * ((h + y - 1) / y) > MAX_PIXELS) {
            x++;
            y++;
        }
        // An axis already shorter than the model's is never subsampled (x or y stays 1): it only has to stay whole.
        boolean keepsSize = (w + x - 1) / x >= Math.min(w, targetWidth) && (h + y - 1) / y >= Math.min(h, targetHeight);
        return keepsSize ? new int[] {x, y} : new int[] {1, 1};
    }

    /** {@code [height, width]} of an input of {@code shape}, 0 where dynamic or the shape is not an image's. */
    private static int[] modelSize(PartialShape shape) {
        try {
            Layout l = layout(shape, 0, 0);
            return new int[] {Math.max(l.height(), 0), Math.max(l.width(), 0)};
        } catch (InferoException e) {
            return new int[] {0, 0}; // load() reports the shape
        }
    }

    /**
     * The height and width an image of {@code imageHeight × imageWidth} takes in an input of {@code shape} (its own
     * size along dynamic dimensions).
     */
    public static int[] inputSize(PartialShape shape, int imageHeight, int imageWidth) {
        Layout l = layout(shape, imageHeight, imageWidth);
        return new int[] {l.height(), l.width()};
    }

    private static Layout layout(PartialShape shape, int imageHeight, int imageWidth) {
        if (!shape.hasRank() || shape.rank() < 3 || shape.rank() > 4) {
            throw new InvalidInputException("cannot feed an image to an input of shape " + shape
                    + ": expected [N,C,H,W], [N,H,W,C], [C,H,W] or [H,W,C]");
        }
        boolean batched = shape.rank() == 4;
        int first = batched ? 1 : 0;
        int last = shape.rank() - 1;
        if (batched && shape.dim(0) != 1 && shape.dim(0) != PartialShape.DYNAMIC) {
            throw new InvalidInputException("cannot feed one image to an input of shape " + shape + " (batch "
                    + shape.dim(0) + ")");
        }
        boolean channelsFirst;
        if (isChannelCount(shape.dim(first))) {
            channelsFirst = true;
        } else if (isChannelCount(shape.dim(last))) {
            channelsFirst = false;
        } else {
            throw new InvalidInputException("cannot feed an image to an input of shape " + shape
                    + ": neither dimension " + first + " nor the last one is 1 or 3 channels");
        }
        int c = shape.dim(channelsFirst ? first : last);
        int hAxis = channelsFirst ? first + 1 : first;
        return new Layout(channelsFirst, batched, c, size(shape.dim(hAxis), imageHeight),
                size(shape.dim(hAxis + 1), imageWidth));
    }

    private static boolean isChannelCount(int d) {
        return d == 1 || d == 3;
    }

    private static int size(int modelDim, int imageDim) {
        return modelDim == PartialShape.DYNAMIC ? imageDim : modelDim;
    }

    private static int[] prepend(int[] dims) {
        int[] out = new int[dims.length + 1];
        out[0] = 1;
        System.arraycopy(dims, 0, out, 1, dims.length);
        return out;
    }

    private static float[] perChannel(float[] values, int channels, String what) {
        if (values.length == 1) {
            float[] v = new float[channels];
            Arrays.fill(v, values[0]);
            return v;
        }
        if (values.length != channels) {
            throw new InvalidInputException(what + " values " + Arrays.toString(values) + " do not match the input's "
                    + channels + " channels");
        }
        return values;
    }

    /**
     * The image's R, G and B planes (row-major), values 0..255; alpha is ignored. The 8-bit RGB layouts that
     * {@link ImageIO}'s JPEG and PNG readers produce are read straight from their bytes (the same values as
     * {@link BufferedImage#getRGB}, which goes through the colour model pixel by pixel and took most of the time of a
     * large JPEG); other layouts (grey, palettes, 16-bit) through {@code getRGB}, which also converts their colour
     * space.
     */
    private static float[][] rgbPlanes(BufferedImage image) {
        int w = image.getWidth();
        int h = image.getHeight();
        int type = image.getType();
        if ((type == BufferedImage.TYPE_3BYTE_BGR || type == BufferedImage.TYPE_4BYTE_ABGR)
                && image.getRaster().getDataBuffer() instanceof DataBufferByte buffer
                && image.getRaster().getSampleModel() instanceof PixelInterleavedSampleModel model
                && image.getRaster().getParent() == null) {
            int stride = model.getScanlineStride();
            int pixelStride = model.getPixelStride();
            int[] offsets = model.getBandOffsets(); // bands in R, G, B(, A) order
            byte[] data = buffer.getData();
            int base = buffer.getOffset();
            float[][] planes = new float[3][w * h];
            for (int y = 0; y < h; y++) {
                int row = base + y * stride;
                for (int x = 0; x < w; x++) {
                    int p = row + x * pixelStride;
                    int i = y * w + x;
                    planes[0][i] = data[p + offsets[0]] & 0xFF;
                    planes[1][i] = data[p + offsets[1]] & 0xFF;
                    planes[2][i] = data[p + offsets[2]] & 0xFF;
                }
            }
            return planes;
        }
        int[] argb = image.getRGB(0, 0, w, h, null, 0, w);
        float[][] planes = new float[3][w * h];
        for (int i = 0; i < argb.length; i++) {
            planes[0][i] = (argb[i] >> 16) & 0xFF;
            planes[1][i] = (argb[i] >> 8) & 0xFF;
            planes[2][i] = argb[i] & 0xFF;
        }
        return planes;
    }

    private static float[] luma(float[][] rgb) {
        float[] y = new float[rgb[0].length];
        for (int i = 0; i < y.length; i++) {
            y[i] = 0.299f * rgb[0][i] + 0.587f * rgb[1][i] + 0.114f * rgb[2][i];
        }
        return y;
    }

    /** Bilinear resize with half-pixel centres; source coordinates outside the image clamp to its edge. */
    static float[] resize(float[] src, int srcW, int srcH, int dstW, int dstH) {
        if (srcW == dstW && srcH == dstH) {
            return src;
        }
        float[] dst = new float[dstW * dstH];
        for (int y = 0; y < dstH; y++) {
            double sy = Math.clamp((y + 0.5) * srcH / dstH - 0.5, 0, srcH - 1);
            int y0 = (int) sy;
            int y1 = Math.min(y0 + 1, srcH - 1);
            float fy = (float) (sy - y0);
            for (int x = 0; x < dstW; x++) {
                double sx = Math.clamp((x + 0.5) * srcW / dstW - 0.5, 0, srcW - 1);
                int x0 = (int) sx;
                int x1 = Math.min(x0 + 1, srcW - 1);
                float fx = (float) (sx - x0);
                float top = src[y0 * srcW + x0] * (1 - fx) + src[y0 * srcW + x1] * fx;
                float bottom = src[y1 * srcW + x0] * (1 - fx) + src[y1 * srcW + x1] * fx;
                dst[y * dstW + x] = top * (1 - fy) + bottom * fy;
            }
        }
        return dst;
    }
}
