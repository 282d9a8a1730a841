package dev.infero.cli.quantize;

import dev.infero.api.io.ImageInput;
import dev.infero.api.io.Npy;
import dev.infero.core.InferoException;
import dev.infero.core.device.PortInfo;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.core.types.PartialShape;
import dev.infero.quantize.CalibrationData;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.Locale;

/**
 * Decodes calibration and comparison samples: images are resized (bilinear) to the input, laid out as it is and kept
 * in 0..255 RGB — the model's embedded preprocessing (mean/scale/channel swap from {@code convert}) does the rest;
 * {@code .npy} files must match the input's type and element count.
 */
public final class SampleFiles {
    private SampleFiles() {
    }

    /**
     * {@code count} samples of random values uniform in 0..255 (the range of image pixels), one tensor per input,
     * each input's type; the shapes must be static.
     */
    public static List<Tensor[]> random(List<PortInfo> ports, int count, long seed) {
        Random rnd = new Random(seed);
        List<Tensor[]> samples = new ArrayList<>();
        for (int s = 0; s < count; s++) {
            Tensor[] sample = new Tensor[ports.size()];
            for (int i = 0; i < sample.length; i++) {
                PartialShape shape = ports.get(i).shape();
                if (!shape.isStatic()) {
                    throw new InferoException("input '" + ports.get(i).name() + "' has dynamic shape " + shape
                            + "; give inputs with -i");
                }
                Tensor t = Tensor.allocate(ElementType.F32, shape.toArray());
                float[] v = t.floats();
                for (int k = 0; k < t.size(); k++) {
                    v[k] = rnd.nextFloat() * 255;
                }
                sample[i] = t.convertTo(ports.get(i).type());
            }
            samples.add(sample);
        }
        return samples;
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
