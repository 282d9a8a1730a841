package dev.infero.vision;

import dev.infero.api.CompiledModel;
import dev.infero.api.Core;
import dev.infero.api.Model;
import java.nio.file.Path;
import java.util.Map;

/** A FaceMesh model with its {@link FaceMeshTranslator}: face region in, landmarks in image pixels out. */
public final class FaceLandmarker extends Predictor<ImageRegion, FaceLandmarks> {
    /** Runs {@code model} with {@code translator}; {@code ownsModel}: close the model with this landmarker. */
    public FaceLandmarker(CompiledModel model, FaceMeshTranslator translator, boolean ownsModel) {
        super(model, translator, ownsModel);
    }

    /**
     * Reads and compiles a FaceMesh model (ONNX or IR, FP32/FP16/INT8) for {@code device}: the input range is
     * {@link InputRange#RAW} when preprocessing was embedded at conversion, else {@code range}.
     */
    public static FaceLandmarker open(Core core, Path file, String device, Map<String, String> config,
                                      InputRange range) {
        Model model = core.readModel(file);
        ModelInput input = ModelInput.of(model, range);
        CompiledModel compiled = core.compileModel(model, device, config);
        try {
            return new FaceLandmarker(compiled, new FaceMeshTranslator(input, compiled.outputs()), true);
        } catch (RuntimeException e) {
            compiled.close();
            throw e;
        }
    }

    /** The landmarks of the face in {@code region}. */
    public FaceLandmarks landmarks(ImageRegion region) {
        return predict(region);
    }
}
