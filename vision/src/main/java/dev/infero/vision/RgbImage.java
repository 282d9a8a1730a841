package dev.infero.vision;

import dev.infero.api.io.ImageInput;
import dev.infero.core.InferoException;
import java.awt.image.BufferedImage;
import java.nio.file.Path;

/**
 * An 8-bit RGB picture held as packed {@code 0xRRGGBB} pixels, row-major: what the vision pipelines crop and
 * sample from. Immutable; alpha is dropped.
 */
public final class RgbImage {
    private final int width;
    private final int height;
    private final int[] rgb;

    private RgbImage(int width, int height, int[] rgb) {
        this.width = width;
        this.height = height;
        this.rgb = rgb;
    }

    /** The pixels of {@code image} (any type {@link BufferedImage} converts to sRGB). */
    public static RgbImage of(BufferedImage image) {
        int w = image.getWidth();
        int h = image.getHeight();
        int[] px = image.getRGB(0, 0, w, h, null, 0, w);
        for (int i = 0; i < px.length; i++) {
            px[i] &= 0xFFFFFF;
        }
        return new RgbImage(w, h, px);
    }

    /** Packed {@code 0xRRGGBB} pixels, row-major ({@code width × height} of them; copied). */
    public static RgbImage of(int width, int height, int[] rgb) {
        if (width <= 0 || height <= 0 || (long) width * height != rgb.length) {
            throw new InferoException("an RGB image of " + width + "×" + height + " needs " + (long) width * height
                    + " pixels, got " + rgb.length);
        }
        int[] px = rgb.clone();
        for (int i = 0; i < px.length; i++) {
            px[i] &= 0xFFFFFF;
        }
        return new RgbImage(width, height, px);
    }

    /** Decodes {@code file} with {@link ImageInput#read}: a clear error names a missing, bad or oversized image. */
    public static RgbImage read(Path file) {
        return of(ImageInput.read(file));
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    /** The pixel at column {@code x}, row {@code y} as {@code 0xRRGGBB}. */
    public int rgb(int x, int y) {
        return rgb[y * width + x];
    }

    /** A copy as a {@link BufferedImage#TYPE_INT_RGB} image, to draw on or write. */
    public BufferedImage toBufferedImage() {
        BufferedImage out = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        out.setRGB(0, 0, width, height, rgb, 0, width);
        return out;
    }
}
