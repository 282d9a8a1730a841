package dev.infero.core.ops.image;

import dev.infero.core.InferoException;
import dev.infero.core.InvalidInputException;
import dev.infero.core.ResourceLimits;
import dev.infero.core.op.Attribute;
import dev.infero.core.op.InferContext;
import dev.infero.core.op.Op;
import dev.infero.core.op.OpSpec;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.core.types.PartialShape;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * The pixels of an encoded image (input 0: its bytes, u8 {@code [L]}) as u8 {@code [H, W, C]}: RGB or BGR
 * ({@code C = 3}) or grayscale ({@code C = 1}, luma {@code (19595 R + 38470 G + 7471 B + 2^15) >> 16}, the ITU-R 601
 * weights in the fixed point of the Python Imaging Library that ONNX's reference uses). Decoded by the JDK's
 * {@link ImageIO} (BMP, GIF, JPEG, PNG, TIFF, WBMP) and by this class for binary PNM (P5 grey, P6 colour, 8-bit);
 * JPEG 2000 and WebP are refused. Alpha is dropped; grey, palette and 16-bit images are converted to 8-bit RGB by
 * the image's colour model. The height and width depend on the bytes, so they are dynamic until the input is known.
 *
 * <p>Infero-specific (version "infero"): OpenVINO has no image decoder op (ONNX ImageDecoder-20).
 */
public final class ImageDecoder extends Op {
    private static final Attribute<ImageDecoder, PixelFormat> PIXEL_FORMAT = Attribute.enumValue("pixel_format",
            PixelFormat.class, ImageDecoder::format).orElse(PixelFormat.RGB);
    public static final OpSpec<ImageDecoder> SPEC = OpSpec.of(ImageDecoder.class, "ImageDecoder", "infero",
            a -> new ImageDecoder(PIXEL_FORMAT.read(a)), PIXEL_FORMAT);

    /** The channel layout of the output, as ONNX's {@code pixel_format}. */
    public enum PixelFormat {
        RGB, BGR, GRAYSCALE;

        int channels() {
            return this == GRAYSCALE ? 1 : 3;
        }
    }

    private final PixelFormat format;

    public ImageDecoder(PixelFormat format) {
        this.format = format;
    }

    public PixelFormat format() {
        return format;
    }

    @Override
    public void infer(InferContext ctx) {
        if (ctx.inputType(0) != ElementType.U8) {
            throw ctx.error("the encoded image must be u8 bytes, got " + ctx.inputType(0));
        }
        PartialShape in = ctx.inputShape(0);
        if (in.hasRank() && in.rank() != 1) {
            throw ctx.error("the encoded image must be a 1-D stream of bytes, got " + in);
        }
        Tensor value = ctx.inputValue(0);
        if (value == null) {
            ctx.setOutput(0, ElementType.U8, PartialShape.of(PartialShape.DYNAMIC, PartialShape.DYNAMIC,
                    format.channels()));
            return;
        }
        int[] size = decode(bytes(value), true).size;
        ctx.setOutput(0, ElementType.U8, PartialShape.of(size[0], size[1], format.channels()));
    }

    @Override
    public void evaluate(Tensor[] inputs, Tensor[] outputs) {
        Decoded image = decode(bytes(inputs[0]), false);
        Tensor out = outputs[0];
        int pixels = image.size[0] * image.size[1];
        if (out.size() != pixels * format.channels()) {
            throw new InferoException("ImageDecoder: output " + java.util.Arrays.toString(out.shape())
                    + " does not hold the " + image.size[0] + "×" + image.size[1] + " image");
        }
        byte[] o = out.bytes();
        for (int i = 0; i < pixels; i++) {
            int rgb = image.rgb[i];
            int r = (rgb >> 16) & 0xFF;
            int g = (rgb >> 8) & 0xFF;
            int b = rgb & 0xFF;
            switch (format) {
                case RGB -> {
                    o[3 * i] = (byte) r;
                    o[3 * i + 1] = (byte) g;
                    o[3 * i + 2] = (byte) b;
                }
                case BGR -> {
                    o[3 * i] = (byte) b;
                    o[3 * i + 1] = (byte) g;
                    o[3 * i + 2] = (byte) r;
                }
                case GRAYSCALE -> o[i] = (byte) ((19595 * r + 38470 * g + 7471 * b + 0x8000) >> 16);
            }
        }
    }

    private static byte[] bytes(Tensor t) {
        byte[] b = new byte[t.size()];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) t.getLong(i);
        }
        return b;
    }

    /** The image's {@code {height, width}} and, unless only the size is asked for, its pixels as 0xRRGGBB. */
    private record Decoded(int[] size, int[] rgb) {
    }

    private static Decoded decode(byte[] data, boolean sizeOnly) {
        if (data.length == 0) {
            throw new InvalidInputException("ImageDecoder: the encoded image is empty (0 bytes)");
        }
        if (data.length >= 2 && data[0] == 'P' && (data[1] == '5' || data[1] == '6')) {
            return pnm(data, sizeOnly);
        }
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(data))) {
            Iterator<ImageReader> readers = in == null ? null : ImageIO.getImageReaders(in);
            if (readers == null || !readers.hasNext()) {
                throw new InvalidInputException("ImageDecoder: the " + data.length + " bytes are not an image the JDK"
                        + " decodes (BMP, GIF, JPEG, PNG, TIFF, WBMP) nor a binary PNM; " + guess(data));
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                int w = reader.getWidth(0);
                int h = reader.getHeight(0);
                if (w <= 0 || h <= 0) {
                    throw new InvalidInputException("ImageDecoder: the image declares a size of " + w + "×" + h);
                }
                ResourceLimits.current().checkTensorBytes("ImageDecoder: the " + w + "×" + h + " image",
                        (long) w * h * 4);
                if (sizeOnly) {
                    return new Decoded(new int[] {h, w}, null);
                }
                BufferedImage image = reader.read(0);
                return new Decoded(new int[] {h, w}, image.getRGB(0, 0, w, h, null, 0, w));
            } finally {
                reader.dispose();
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof InferoException ie) {
                throw ie;
            }
            throw new InvalidInputException("ImageDecoder: cannot decode the image: " + e.getMessage(), e);
        }
    }

    /** What a format the JDK lacks looks like, for the error. */
    private static String guess(byte[] d) {
        String head = new String(d, 0, Math.min(d.length, 12), StandardCharsets.ISO_8859_1);
        if (head.startsWith("RIFF") && head.length() >= 12 && head.startsWith("WEBP", 8)) {
            return "it is WebP, which Infero does not decode";
        }
        if (head.startsWith("\0\0\0\fjP  ") || d.length > 3 && (d[0] & 0xFF) == 0xFF && (d[1] & 0xFF) == 0x4F
                && (d[2] & 0xFF) == 0xFF && (d[3] & 0xFF) == 0x51) {
            return "it is JPEG 2000, which Infero does not decode";
        }
        return "its format is unknown";
    }

    /** Binary PNM: "P5"/"P6", width, height and maxval (at most 255) as text with comments, then the samples. */
    private static Decoded pnm(byte[] d, boolean sizeOnly) {
        int[] at = {2};
        int w = pnmNumber(d, at);
        int h = pnmNumber(d, at);
        int max = pnmNumber(d, at);
        at[0]++; // the single whitespace before the samples
        int channels = d[1] == '6' ? 3 : 1;
        if (w <= 0 || h <= 0 || max <= 0 || max > 255) {
            throw new InvalidInputException("ImageDecoder: PNM image of " + w + "×" + h + " with maxval " + max
                    + " (Infero decodes 8-bit samples, maxval 1-255)");
        }
        ResourceLimits.current().checkTensorBytes("ImageDecoder: the " + w + "×" + h + " image", (long) w * h * 4);
        if ((long) at[0] + (long) w * h * channels > d.length) {
            throw new InvalidInputException("ImageDecoder: PNM image of " + w + "×" + h + " is truncated ("
                    + d.length + " bytes)");
        }
        if (sizeOnly) {
            return new Decoded(new int[] {h, w}, null);
        }
        int[] rgb = new int[w * h];
        for (int i = 0; i < rgb.length; i++) {
            int p = at[0] + i * channels;
            int r = scale(d[p], max);
            rgb[i] = channels == 1 ? r << 16 | r << 8 | r : r << 16 | scale(d[p + 1], max) << 8 | scale(d[p + 2], max);
        }
        return new Decoded(new int[] {h, w}, rgb);
    }

    private static int scale(byte sample, int max) {
        int v = Math.min(sample & 0xFF, max);
        return max == 255 ? v : (v * 255 + max / 2) / max;
    }

    private static int pnmNumber(byte[] d, int[] at) {
        int i = at[0];
        while (i < d.length && (Character.isWhitespace(d[i]) || d[i] == '#')) {
            if (d[i] == '#') {
                while (i < d.length && d[i] != '\n' && d[i] != '\r') {
                    i++;
                }
            } else {
                i++;
            }
        }
        long v = 0;
        int start = i;
        while (i < d.length && d[i] >= '0' && d[i] <= '9' && v <= Integer.MAX_VALUE) {
            v = v * 10 + (d[i++] - '0');
        }
        if (i == start || v > Integer.MAX_VALUE) {
            throw new InvalidInputException("ImageDecoder: malformed PNM header at byte " + start);
        }
        at[0] = i;
        return (int) v;
    }
}
