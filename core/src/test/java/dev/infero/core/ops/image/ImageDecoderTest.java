package dev.infero.core.ops.image;

import static dev.infero.core.ops.OpHarness.assertRoundTrips;
import static dev.infero.core.ops.OpHarness.eval;
import static dev.infero.core.ops.OpHarness.infer;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infero.core.InferoException;
import dev.infero.core.InvalidInputException;
import dev.infero.core.ops.image.ImageDecoder.PixelFormat;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.core.types.PartialShape;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/** Lossless images written by the JDK decode to their pixels in every layout; PNM by hand; refusals name the format. */
class ImageDecoderTest {
    private static final int W = 5;
    private static final int H = 3;

    private static BufferedImage randomImage() {
        BufferedImage image = new BufferedImage(W, H, BufferedImage.TYPE_INT_RGB);
        Random random = new Random(7);
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                image.setRGB(x, y, random.nextInt(1 << 24));
            }
        }
        return image;
    }

    private static Tensor encoded(BufferedImage image, String format) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertTrue(ImageIO.write(image, format, out), format);
        return bytes(out.toByteArray());
    }

    private static Tensor bytes(byte[] b) {
        Tensor t = Tensor.allocate(ElementType.U8, b.length);
        System.arraycopy(b, 0, t.bytes(), 0, b.length);
        return t;
    }

    private static int u8(Tensor t, int i) {
        return (int) t.getLong(i);
    }

    @Test
    void losslessFormatsDecodeToTheirPixelsInEveryLayout() throws IOException {
        BufferedImage image = randomImage();
        for (String format : new String[] {"png", "bmp", "tiff"}) {
            Tensor data = encoded(image, format);
            Tensor rgb = eval(new ImageDecoder(PixelFormat.RGB), data);
            Tensor bgr = eval(new ImageDecoder(PixelFormat.BGR), data);
            Tensor gray = eval(new ImageDecoder(PixelFormat.GRAYSCALE), data);
            assertArrayEquals(new int[] {H, W, 3}, rgb.shape(), format);
            assertArrayEquals(new int[] {H, W, 1}, gray.shape(), format);
            for (int y = 0; y < H; y++) {
                for (int x = 0; x < W; x++) {
                    int p = image.getRGB(x, y);
                    int r = (p >> 16) & 0xFF;
                    int g = (p >> 8) & 0xFF;
                    int b = p & 0xFF;
                    int i = y * W + x;
                    assertArrayEquals(new int[] {r, g, b}, new int[] {u8(rgb, 3 * i), u8(rgb, 3 * i + 1),
                        u8(rgb, 3 * i + 2)}, format + " rgb at " + x + "," + y);
                    assertArrayEquals(new int[] {b, g, r}, new int[] {u8(bgr, 3 * i), u8(bgr, 3 * i + 1),
                        u8(bgr, 3 * i + 2)}, format + " bgr at " + x + "," + y);
                    // ITU-R 601 luma, rounded to nearest
                    assertEquals(Math.round(0.299 * r + 0.587 * g + 0.114 * b), u8(gray, i), 1, format + " gray");
                }
            }
        }
    }

    @Test
    void binaryPnmWithCommentsAndASmallMaxval() {
        byte[] header = "P6 # colour\n2 1\n# max\n15\n".getBytes(StandardCharsets.US_ASCII);
        byte[] data = new byte[header.length + 6];
        System.arraycopy(header, 0, data, 0, header.length);
        byte[] samples = {15, 0, 5, 1, 2, 3};
        System.arraycopy(samples, 0, data, header.length, 6);
        Tensor rgb = eval(new ImageDecoder(PixelFormat.RGB), bytes(data));
        assertArrayEquals(new int[] {1, 2, 3}, rgb.shape());
        // samples scaled from 0..15 to 0..255, rounded
        assertArrayEquals(new long[] {255, 0, 85, 17, 34, 51}, rgb.toLongArray());
        Tensor grey = eval(new ImageDecoder(PixelFormat.RGB), bytes("P5\n1 1\n255\n\u00c8"
                .getBytes(StandardCharsets.ISO_8859_1)));
        assertArrayEquals(new long[] {200, 200, 200}, grey.toLongArray());
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> eval(
                new ImageDecoder(PixelFormat.RGB), bytes("P6\n4 4\n255\n\u0001".getBytes(StandardCharsets.ISO_8859_1))));
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
    }

    @Test
    void unknownBytesAndFormatsTheJdkLacksAreRefusedByName() {
        byte[] webp = "RIFF\0\0\0\0WEBPVP8 ".getBytes(StandardCharsets.ISO_8859_1);
        InferoException e = assertThrows(InferoException.class, () -> eval(new ImageDecoder(PixelFormat.RGB),
                bytes(webp)));
        assertTrue(e.getMessage().contains("WebP"), e.getMessage());
        e = assertThrows(InferoException.class, () -> eval(new ImageDecoder(PixelFormat.RGB),
                bytes(new byte[] {1, 2, 3})));
        assertTrue(e.getMessage().contains("format is unknown"), e.getMessage());
    }

    @Test
    void sizeIsDynamicUntilTheBytesAreKnown() {
        assertEquals(PartialShape.of(PartialShape.DYNAMIC, PartialShape.DYNAMIC, 1),
                infer(new ImageDecoder(PixelFormat.GRAYSCALE), ElementType.U8, PartialShape.of(100)).output(0).shape());
        assertThrows(InferoException.class, () -> infer(new ImageDecoder(PixelFormat.RGB), ElementType.F32,
                PartialShape.of(100)));
        assertRoundTrips(new ImageDecoder(PixelFormat.GRAYSCALE));
    }
}
