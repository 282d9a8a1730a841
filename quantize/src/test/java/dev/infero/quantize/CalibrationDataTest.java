package dev.infero.quantize;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infero.core.InferoException;
import dev.infero.core.device.PortInfo;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.core.types.PartialShape;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The calibration folder: recursive, image and .npy files only, bad files reported and skipped. */
class CalibrationDataTest {
    @TempDir
    Path dir;

    private static final PortInfo INPUT = new PortInfo("x", ElementType.F32, PartialShape.of(1, 1, 1, 1));

    /** A stand-in decoder: the image's top-left red value as a 1-element tensor. */
    private static final CalibrationData.SampleReader READER = (file, input) -> {
        BufferedImage img = ImageIO.read(file.toFile());
        if (img == null) {
            throw new InferoException("not an image");
        }
        return Tensor.of(new float[] {(img.getRGB(0, 0) >> 16) & 0xFF}, 1, 1, 1, 1);
    };

    private void image(String name, int red) throws IOException {
        BufferedImage img = new BufferedImage(2, 2, BufferedImage.TYPE_INT_RGB);
        img.setRGB(0, 0, red << 16);
        Path f = dir.resolve(name);
        Files.createDirectories(f.getParent());
        ImageIO.write(img, name.endsWith(".bmp") ? "bmp" : "png", f.toFile());
    }

    @Test
    void readsImagesRecursivelySkippingCorruptAndOtherFiles() throws IOException {
        image("a.png", 10);
        image("sub/deeper/b.bmp", 20);
        image("sub/c.png", 30);
        Files.writeString(dir.resolve("broken.png"), "not really a png");
        Files.writeString(dir.resolve("README.txt"), "ignored: not a sample file");
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        List<Tensor> samples = CalibrationData.load(dir, INPUT, READER, 0, false, 0,
                new PrintStream(log, true, StandardCharsets.UTF_8));
        assertEquals(List.of(10f, 30f, 20f), samples.stream().map(t -> t.floats()[0]).toList(),
                "path order: a.png, sub/c.png, sub/deeper/b.bmp");
        String text = log.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("[ WARNING ] skipped " + dir.resolve("broken.png") + ": not an image"), text);
        assertTrue(!text.contains("README"), text);
    }

    @Test
    void subsetIsFilledPastBadFilesAndShufflingIsReproducible() throws IOException {
        Files.writeString(dir.resolve("0_broken.png"), "x");
        for (int i = 1; i <= 9; i++) {
            image(i + ".png", i);
        }
        List<Tensor> first = CalibrationData.load(dir, INPUT, READER, 3, false, 0, null);
        assertEquals(List.of(1f, 2f, 3f), first.stream().map(t -> t.floats()[0]).toList());
        List<Float> a = CalibrationData.load(dir, INPUT, READER, 4, true, 42, null).stream()
                .map(t -> t.floats()[0]).toList();
        List<Float> b = CalibrationData.load(dir, INPUT, READER, 4, true, 42, null).stream()
                .map(t -> t.floats()[0]).toList();
        assertEquals(a, b);
        assertEquals(4, a.size());
    }

    @Test
    void nothingUsableIsAnError() throws IOException {
        Files.writeString(dir.resolve("x.jpg"), "garbage");
        InferoException e = assertThrows(InferoException.class,
                () -> CalibrationData.load(dir, INPUT, READER, 0, false, 0, null));
        assertTrue(e.getMessage().startsWith("none of the 1 files in " + dir), e.getMessage());
        Path empty = Files.createDirectories(dir.resolve("empty"));
        assertTrue(assertThrows(InferoException.class,
                () -> CalibrationData.load(empty, INPUT, READER, 0, false, 0, null)).getMessage()
                .startsWith("no calibration samples in"));
    }
}
