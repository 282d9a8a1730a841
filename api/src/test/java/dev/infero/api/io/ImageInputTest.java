package dev.infero.api.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.infero.core.InferoException;
import dev.infero.core.InvalidInputException;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.core.types.PartialShape;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageInputTest {
    @TempDir
    Path dir;

    /** A 2x2 picture: red, green / blue, white. */
    private Path image(String format) throws IOException {
        BufferedImage img = new BufferedImage(2, 2, BufferedImage.TYPE_INT_RGB);
        img.setRGB(0, 0, 0xFF0000);
        img.setRGB(1, 0, 0x00FF00);
        img.setRGB(0, 1, 0x0000FF);
        img.setRGB(1, 1, 0xFFFFFF);
        Path file = dir.resolve("img." + format);
        ImageIO.write(img, format, file.toFile());
        return file;
    }

    private static Tensor load(Path file, PartialShape shape, ImageInput.Preprocessing p) {
        return ImageInput.load(file, ElementType.F32, shape, p);
    }

    @Test
    void nchwInputGetsRgbPlanesWithValuesUpTo255() throws IOException {
        Tensor t = load(image("png"), PartialShape.of(1, 3, 2, 2), ImageInput.Preprocessing.NONE);
        assertArrayEquals(new int[] {1, 3, 2, 2}, t.shape());
        assertArrayEquals(new float[] {255, 0, 0, 255, /* G */ 0, 255, 0, 255, /* B */ 0, 0, 255, 255}, t.floats());
    }

    @Test
    void bytesInMemoryDecodeAsTheFileDoesAndBadBytesNameTheSource() throws IOException {
        Path file = image("png");
        PartialShape shape = PartialShape.of(1, 3, 4, 4);
        Tensor fromFile = load(file, shape, ImageInput.Preprocessing.NONE);
        Tensor fromBytes = ImageInput.load(Files.readAllBytes(file), "row 7", ElementType.F32, shape,
                ImageInput.Preprocessing.NONE);
        assertArrayEquals(fromFile.floats(), fromBytes.floats(), 0f);
        InferoException garbage = assertThrows(InferoException.class, () -> ImageInput.load(new byte[] {1, 2, 3},
                "s3a://bucket/x.jpg", ElementType.F32, shape, ImageInput.Preprocessing.NONE));
        assertEquals("s3a://bucket/x.jpg is not an image in a supported format (PNG, JPEG, BMP, GIF)",
                garbage.getMessage());
        InferoException empty = assertThrows(InferoException.class, () -> ImageInput.load(new byte[0], "row 3",
                ElementType.F32, shape, ImageInput.Preprocessing.NONE));
        assertEquals("image row 3 is empty (0 bytes)", empty.getMessage());
    }

    /**
     * The byte layouts read without {@code getRGB} (JPEG's 3-byte BGR, PNG's 4-byte ABGR) give exactly what
     * {@code getRGB} gives; a grey PNG still goes through {@code getRGB} and its colour conversion.
     */
    @Test
    void byteLayoutsReadDirectlyEqualGetRgb() throws IOException {
        java.util.Random random = new java.util.Random(7);
        for (int type : new int[] {BufferedImage.TYPE_3BYTE_BGR, BufferedImage.TYPE_4BYTE_ABGR,
                BufferedImage.TYPE_BYTE_GRAY}) {
            for (String format : new String[] {"png", "jpg"}) {
                if (type == BufferedImage.TYPE_4BYTE_ABGR && format.equals("jpg")) {
                    continue; // JPEG has no alpha
                }
                BufferedImage img = new BufferedImage(37, 23, type);
                for (int y = 0; y < 23; y++) {
                    for (int x = 0; x < 37; x++) {
                        img.setRGB(x, y, random.nextInt());
                    }
                }
                Path file = dir.resolve("random" + type + "." + format);
                ImageIO.write(img, format, file.toFile());
                BufferedImage decoded = ImageIO.read(file.toFile());
                float[] expected = new float[3 * 37 * 23];
                for (int y = 0; y < 23; y++) {
                    for (int x = 0; x < 37; x++) {
                        int rgb = decoded.getRGB(x, y);
                        expected[y * 37 + x] = (rgb >> 16) & 0xFF;
                        expected[37 * 23 + y * 37 + x] = (rgb >> 8) & 0xFF;
                        expected[2 * 37 * 23 + y * 37 + x] = rgb & 0xFF;
                    }
                }
                Tensor t = load(file, PartialShape.of(1, 3, 23, 37), ImageInput.Preprocessing.NONE);
                assertArrayEquals(expected, t.floats(), 0f, format + " of type " + type + " decoded as "
                        + decoded.getType());
            }
        }
    }

    @Test
    void aLargeImageIsDecodedSubsampledToAboutTwiceTheModelsSize() throws IOException {
        // 1000×600, a vertical stripe every 10 pixels; for a 100×60 input every 5th pixel of every 5th row is
        // decoded (200×120), so the stripes at x = 0, 10, 20, ... survive and the picture keeps its layout.
        BufferedImage img = new BufferedImage(1000, 600, BufferedImage.TYPE_3BYTE_BGR);
        for (int y = 0; y < 600; y++) {
            for (int x = 0; x < 1000; x += 10) {
                img.setRGB(x, y, 0xFFFFFF);
            }
        }
        Path file = dir.resolve("stripes.png");
        ImageIO.write(img, "png", file.toFile());
        assertArrayEquals(new int[] {5, 5}, ImageInput.subsampling(1000, 600, 100, 60));
        Tensor sub = load(file, PartialShape.of(1, 3, 60, 100), ImageInput.Preprocessing.NONE);
        assertArrayEquals(new int[] {1, 3, 60, 100}, sub.shape());
        // Every stripe kept: each output column pair averages one white and one black decoded column.
        for (int x = 0; x < 100; x++) {
            assertEquals(127.5f, sub.floats()[x], 1f, "column " + x);
        }
    }

    @Test
    void nhwcInputInterleavesChannels() throws IOException {
        Tensor t = load(image("bmp"), PartialShape.of(1, 2, 2, 3), ImageInput.Preprocessing.NONE);
        assertArrayEquals(new float[] {255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255}, t.floats());
    }

    @Test
    void reverseThenMeanAndScaleInTheModelsChannelOrder() throws IOException {
        var prep = new ImageInput.Preprocessing(new float[] {1, 2, 3}, new float[] {2, 4, 5}, true);
        Tensor t = load(image("png"), PartialShape.of(1, 3, 2, 2), prep);
        // channel 0 is now blue: (v - 1) / 2
        assertArrayEquals(new float[] {-0.5f, -0.5f, 127f, 127f}, java.util.Arrays.copyOf(t.floats(), 4));
        assertEquals((255 - 3) / 5f, t.floats()[8]); // channel 2 is red
    }

    @Test
    void bilinearResizeUsesHalfPixelCentres() throws IOException {
        Tensor t = load(image("png"), PartialShape.of(1, 1, 1, 1), ImageInput.Preprocessing.NONE);
        // one output pixel samples the centre of the 2x2 image: the mean of the four pixels' luma
        float luma = (0.299f * 255 + 0.587f * 255 + 0.114f * 255 + 255) / 4;
        assertEquals(luma, t.floats()[0], 1e-3);
        float[] up = ImageInput.resize(new float[] {0, 4}, 2, 1, 4, 1);
        assertArrayEquals(new float[] {0, 1, 3, 4}, up);
    }

    @Test
    void dynamicSpatialDimensionsTakeTheImageSizeAndIntegerInputsAreRounded() throws IOException {
        Tensor t = ImageInput.load(image("png"), ElementType.U8, PartialShape.of(-1, 3, -1, -1),
                ImageInput.Preprocessing.NONE);
        assertEquals(ElementType.U8, t.type());
        assertArrayEquals(new int[] {1, 3, 2, 2}, t.shape());
        assertEquals(255, t.getLong(0));
    }

    @Test
    void nonImageAndUnsuitableShapesGiveClearErrors() throws IOException {
        Path text = Files.writeString(dir.resolve("notes.png"), "not an image");
        assertEquals(text + " is not an image in a supported format (PNG, JPEG, BMP, GIF)",
                assertThrows(InferoException.class,
                        () -> load(text, PartialShape.of(1, 3, 2, 2), ImageInput.Preprocessing.NONE)).getMessage());
        Path png = image("png");
        assertEquals("cannot feed an image to an input of shape [1,5,2,2]: neither dimension 1 nor the last one is 1 "
                + "or 3 channels", assertThrows(InferoException.class,
                        () -> load(png, PartialShape.of(1, 5, 2, 2), ImageInput.Preprocessing.NONE)).getMessage());
        assertEquals("cannot feed an image to an input of shape [1,10]: expected [N,C,H,W], [N,H,W,C], [C,H,W] or "
                + "[H,W,C]", assertThrows(InferoException.class,
                        () -> load(png, PartialShape.of(1, 10), ImageInput.Preprocessing.NONE)).getMessage());
        Path missing = dir.resolve("missing.jpg");
        assertEquals("image file " + missing + " does not exist", assertThrows(InferoException.class,
                () -> load(missing, PartialShape.of(1, 3, 2, 2), ImageInput.Preprocessing.NONE)).getMessage());
    }

    @Test
    void readRefusesHugeAndTruncatedImagesWithTheirName() throws IOException {
        // A PNG whose header claims 20000 x 20000 pixels (400 MP): refused from the header, before any pixel memory.
        byte[] png = Files.readAllBytes(image("png"));
        java.nio.ByteBuffer.wrap(png, 16, 8).putInt(20000).putInt(20000);
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(png, 12, 17);
        java.nio.ByteBuffer.wrap(png, 29, 4).putInt((int) crc.getValue());
        Path huge = Files.write(dir.resolve("huge.png"), png);
        assertEquals("image " + huge + " is 20000×20000 pixels; at most " + ImageInput.MAX_PIXELS
                + " pixels are decoded", assertThrows(InferoException.class, () -> ImageInput.read(huge)).getMessage());
        byte[] good = Files.readAllBytes(image("png"));
        Path cut = Files.write(dir.resolve("cut.png"), java.util.Arrays.copyOf(good, 40));
        String message = assertThrows(InferoException.class, () -> ImageInput.read(cut)).getMessage();
        org.junit.jupiter.api.Assertions.assertTrue(message.startsWith("cannot decode image " + cut), message);
        assertEquals(2, ImageInput.read(image("bmp")).getWidth());
    }

    @Test
    void aTruncatedJpegOrPngIsAnInvalidInputNotAPartialImage() throws IOException {
        BufferedImage image = new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB);
        for (int i = 0; i < 64; i++) {
            image.setRGB(i, i, 0xFF8040);
        }
        for (String format : new String[] {"jpg", "png"}) {
            Path whole = dir.resolve("whole." + format);
            ImageIO.write(image, format, whole.toFile());
            byte[] bytes = Files.readAllBytes(whole);
            Path cut = dir.resolve("cut." + format);
            Files.write(cut, java.util.Arrays.copyOf(bytes, bytes.length * 2 / 3));
            InvalidInputException e = assertThrows(InvalidInputException.class, () -> ImageInput.load(cut,
                    ElementType.F32, PartialShape.of(1, 3, 64, 64), ImageInput.Preprocessing.NONE));
            org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains(cut.toString()), e.getMessage());
        }
    }

    @Test
    void zeroOrNonFiniteScalesAreRefusedWhenThePreprocessingIsMade() {
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> new ImageInput.Preprocessing(new float[] {0}, new float[] {0}, false));
        assertEquals("scale must not contain 0 (it divides the input), got [0.0]", e.getMessage());
        assertThrows(InvalidInputException.class,
                () -> new ImageInput.Preprocessing(new float[] {Float.NaN}, new float[] {1}, false));
    }
}
