package dev.infero.vision;

import dev.infero.api.CompiledModel;
import dev.infero.api.Core;
import dev.infero.api.Model;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** A BlazeFace model with its {@link BlazeFaceTranslator}: image in, face detections in image pixels out. */
public final class FaceDetector extends Predictor<RgbImage, List<Detection>> {
    /** Runs {@code model} with {@code translator}; {@code ownsModel}: close the model with this detector. */
    public FaceDetector(CompiledModel model, BlazeFaceTranslator translator, boolean ownsModel) {
        super(model, translator, ownsModel);
    }

    /**
     * Reads and compiles a BlazeFace model (ONNX or IR, FP32/FP16/INT8) for {@code device}: the input range is
     * {@link InputRange#RAW} when preprocessing was embedded at conversion, else {@code range}.
     *
     * @param anchors the model's anchors ({@code null}: MediaPipe's front-model anchors)
     */
    public static FaceDetector open(Core core, Path file, String device, Map<String, String> config,
                                    InputRange range, Anchors anchors, BlazeFaceTranslator.Options options) {
        Model model = core.readModel(file);
        ModelInput input = ModelInput.of(model, range);
        CompiledModel compiled = core.compileModel(model, device, config);
        try {
            var translator = new BlazeFaceTranslator(input, compiled.outputs(),
                    anchors == null ? Anchors.blazeFaceFront() : anchors, options);
            return new FaceDetector(compiled, translator, true);
        } catch (RuntimeException e) {
            compiled.close();
            throw e;
        }
    }

    /** The detections on {@code image}, best first. */
    public List<Detection> detect(RgbImage image) {
        return predict(image);
    }
}
