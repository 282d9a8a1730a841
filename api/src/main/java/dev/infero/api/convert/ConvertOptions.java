package dev.infero.api.convert;

import dev.infero.core.frontend.ModelSource;
import dev.infero.core.types.PartialShape;
import java.nio.file.Path;
import java.util.List;

/**
 * What {@code convert} does, with the meaning of OpenVINO Model Optimizer's options of the same names.
 *
 * @param inputModel           the ONNX or IR model to read
 * @param modelName            base name of the IR files ({@code null}: the input file's base name)
 * @param outputDir            where the IR goes
 * @param inputs               model inputs (names) the other per-input options refer to, in order; an inner tensor
 *                             name cuts the graph there; empty: the model's inputs
 * @param inputShapes          new shapes for those inputs, in order (empty: keep)
 * @param outputs              tensor names to make the model outputs (empty: keep)
 * @param meanValues           per-channel values subtracted from the input (empty: none)
 * @param scaleValues          per-channel divisors (empty: none); {@code scale} is a single divisor for all channels
 * @param scale                single divisor, or {@code null}
 * @param reverseInputChannels swap RGB and BGR (3-channel inputs only)
 * @param compressToFp16       store floating weights as f16
 * @param layout               input layout such as {@code nchw} or {@code nhwc} ({@code null}: NCHW for 4-D inputs)
 * @param source               the model with its companion files and framework ({@code --input_proto},
 *                             {@code --input_symbol}, {@code --framework}); {@code null}: {@code inputModel} alone
 * @param decompressWeights    store FP16-compressed weights of the input (an FP16 IR) as f32 again: what an explicit
 *                             {@code --data_type FP32} asks for
 */
public record ConvertOptions(Path inputModel, String modelName, Path outputDir, List<String> inputs,
                             List<PartialShape> inputShapes, List<String> outputs, float[] meanValues,
                             float[] scaleValues, Float scale, boolean reverseInputChannels, boolean compressToFp16,
                             String layout, ModelSource source, boolean decompressWeights) {
    public ConvertOptions {
        source = source == null ? ModelSource.of(inputModel) : source;
        inputs = List.copyOf(inputs);
        inputShapes = List.copyOf(inputShapes);
        outputs = List.copyOf(outputs);
        meanValues = meanValues.clone();
        scaleValues = scaleValues.clone();
    }

    /** Options for a model in one file, recognised by its content and name. */
    public ConvertOptions(Path inputModel, String modelName, Path outputDir, List<String> inputs,
                          List<PartialShape> inputShapes, List<String> outputs, float[] meanValues,
                          float[] scaleValues, Float scale, boolean reverseInputChannels, boolean compressToFp16,
                          String layout) {
        this(inputModel, modelName, outputDir, inputs, inputShapes, outputs, meanValues, scaleValues, scale,
                reverseInputChannels, compressToFp16, layout, null, false);
    }

    /** Options for a model given with companion files or an explicit framework. */
    public ConvertOptions(Path inputModel, String modelName, Path outputDir, List<String> inputs,
                          List<PartialShape> inputShapes, List<String> outputs, float[] meanValues,
                          float[] scaleValues, Float scale, boolean reverseInputChannels, boolean compressToFp16,
                          String layout, ModelSource source) {
        this(inputModel, modelName, outputDir, inputs, inputShapes, outputs, meanValues, scaleValues, scale,
                reverseInputChannels, compressToFp16, layout, source, false);
    }

    /** These options for a model given with companion files or an explicit framework. */
    public ConvertOptions withSource(ModelSource newSource) {
        return new ConvertOptions(newSource.model(), modelName, outputDir, inputs, inputShapes, outputs, meanValues,
                scaleValues, scale, reverseInputChannels, compressToFp16, layout, newSource, decompressWeights);
    }

    /** Options that only convert the format: no reshaping, preprocessing or compression. */
    public static ConvertOptions plain(Path inputModel, Path outputDir) {
        return new ConvertOptions(inputModel, null, outputDir, List.of(), List.of(), List.of(), new float[0],
                new float[0], null, false, false, null);
    }

    public String modelNameOrDefault() {
        if (modelName != null && !modelName.isEmpty()) {
            return modelName;
        }
        String base = inputModel.getFileName().toString();
        // Model Optimizer's default: the file name without its extension (MXNet's "-0000.params" epoch suffix too).
        return base.replaceFirst("(-\\d+)?\\.(onnx|xml|pb|pbtxt|tflite|caffemodel|prototxt|params|json)$", "");
    }
}
