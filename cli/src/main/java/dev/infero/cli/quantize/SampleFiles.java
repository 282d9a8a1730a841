package dev.infero.cli.quantize;

import dev.infero.api.io.ImageInput;
import dev.infero.api.io.Npy;
import dev.infero.core.InferoException;
import dev.infero.core.device.PortInfo;
import dev.infero.core.tensor.Tensor;
import dev.infero.quantize.CalibrationData;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/**
 * Decodes calibration and comparison samples: images are resized (bilinear) to the input, laid out as it is and kept
 * in 0..255 RGB — the model's embedded preprocessing (mean/scale/channel swap from {@code convert}) does the rest;
 * {@code .npy} files must match the input's type and element count.
 */
public final class SampleFiles {
    private SampleFiles() {
    }

    public static CalibrationData.SampleReader reader() {
        return SampleFiles::read;
    }

    static Tensor read(Path file, PortInfo input) {
        if (!file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".npy")) {
            return ImageInput.load(file, input.type(), input.shape(), ImageInput.Preprocessing.NONE);
        }
        Tensor t = Npy.read(file);
        if (t.type() != input.type()) {
            throw new InferoException("holds " + t.type() + " data, input '" + input.name() + "' expects "
                    + input.type());
        }
        if (input.shape().isStatic()) {
            int[] shape = input.shape().toArray();
            if (Arrays.stream(shape).asLongStream().reduce(1, (x, y) -> x * y) != t.size()) {
                throw new InferoException("has shape " + Arrays.toString(t.shape()) + ", input '" + input.name()
                        + "' is " + input.shape());
            }
            return t.reshape(shape);
        }
        return t;
    }
}
