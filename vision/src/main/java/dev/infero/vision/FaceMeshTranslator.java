package dev.infero.vision;

import dev.infero.core.InferoException;
import dev.infero.core.device.PortInfo;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import java.util.List;

/**
 * FaceMesh's pre- and post-processing (MediaPipe's face landmark graph): the aligned face region sampled into the
 * model's square input, the landmarks ({@code 468 × (x, y, z)} in input pixels) mapped back through the region's
 * rotation and scale to image pixels ({@code LandmarkProjectionCalculator}, exact in pixels), the face flag passed
 * through a sigmoid.
 */
public final class FaceMeshTranslator implements Translator<ImageRegion, FaceLandmarks> {
    private final ModelInput input;
    private final int landmarksOutput;
    private final int flagOutput;
    private final int points;

    /**
     * @param input   the model's image input
     * @param outputs the model's outputs: one with {@code 3 × N} values (the landmarks) and, optionally, one with a
     *                single value (the face flag), in either order
     */
    public FaceMeshTranslator(ModelInput input, List<PortInfo> outputs) {
        this.input = input;
        int lm = -1;
        int flag = -1;
        long best = 0;
        for (int i = 0; i < outputs.size(); i++) {
            var s = outputs.get(i).shape();
            if (!s.hasRank() || !s.isStatic()) {
                continue;
            }
            long n = 1;
            for (int d = 0; d < s.rank(); d++) {
                n *= s.dim(d);
            }
            if (n == 1 && flag < 0) {
                flag = i;
            } else if (n % 3 == 0 && n > best) {
                best = n;
                lm = i;
            }
        }
        if (lm < 0) {
            throw new InferoException("a face landmark model needs an output of 3 × N values (x, y, z per landmark); "
                    + "the model has " + outputs);
        }
        this.landmarksOutput = lm;
        this.flagOutput = flag;
        this.points = (int) (best / 3);
    }

    public ModelInput input() {
        return input;
    }

    /** Landmarks per face. */
    public int points() {
        return points;
    }

    @Override
    public List<Tensor> processInput(ImageRegion region) {
        return List.of(input.sample(region.image(), region.roi()));
    }

    @Override
    public FaceLandmarks processOutput(ImageRegion region, List<Tensor> outputs) {
        Tensor lmTensor = outputs.get(landmarksOutput);
        float[] raw = lmTensor.type() == ElementType.F32 ? lmTensor.floats() : lmTensor.toFloatArray();
        RotatedRect roi = region.roi();
        float[] out = new float[points * 3];
        for (int i = 0; i < points; i++) {
            double u = raw[3 * i] / input.width();
            double v = raw[3 * i + 1] / input.height();
            out[3 * i] = (float) roi.imageX(u, v);
            out[3 * i + 1] = (float) roi.imageY(u, v);
            out[3 * i + 2] = (float) (raw[3 * i + 2] / input.width() * roi.width());
        }
        float presence = Float.NaN;
        if (flagOutput >= 0) {
            float flag = (float) outputs.get(flagOutput).getDouble(0);
            presence = (float) (1 / (1 + Math.exp(-Math.clamp(flag, -100f, 100f))));
        }
        return new FaceLandmarks(out, presence);
    }
}
