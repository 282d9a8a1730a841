package dev.infero.cli;

import dev.infero.api.convert.ConvertOptions;
import dev.infero.core.frontend.ModelSource;
import dev.infero.api.convert.ModelConverter;
import dev.infero.core.InferoException;
import dev.infero.core.OutputFolder;
import dev.infero.core.types.PartialShape;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code infero convert}: the model optimizer, with OpenVINO Model Optimizer's option names. */
@Command(name = "convert", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Convert a model (ONNX, TensorFlow, TensorFlow Lite, Caffe, MXNet, or an IR) to OpenVINO IR v11 (.xml + .bin): optimize the graph, embed "
                + "input preprocessing, optionally compress weights to FP16. Options take Model Optimizer spellings "
                + "(--input_model) and kebab-case (--input-model).")
final class ConvertCommand implements Callable<Integer> {
    @Option(names = {"--input_model", "--input-model", "-m", "-w"}, paramLabel = "FILE",
            description = "Model to convert: .onnx, OpenVINO IR .xml, or another framework's model file or directory "
                    + "(see --framework).")
    Path inputModel;

    @Option(names = {"--saved_model_dir", "--saved-model-dir"}, paramLabel = "DIR",
            description = "TensorFlow: a SavedModel directory (saved_model.pb), instead of --input_model.")
    Path savedModelDir;

    @Option(names = {"--input_model_is_text", "--input-model-is-text"},
            description = "TensorFlow: --input_model is a GraphDef in text format (Infero also tells by the content).")
    boolean inputModelIsText;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = {"--framework"}, paramLabel = "NAME",
            description = "The model's framework when its content and name do not say it (onnx, ir, and the "
                    + "frontends built in: tf, tflite, caffe, mxnet).")
    String framework;

    @Option(names = {"--input_proto", "--input-proto", "-d"}, paramLabel = "FILE",
            description = "Caffe: the deploy .prototxt of the .caffemodel given as --input_model.")
    Path inputProto;

    @Option(names = {"--input_symbol", "--input-symbol"}, paramLabel = "FILE",
            description = "MXNet: the -symbol.json of the .params file given as --input_model.")
    Path inputSymbol;

    @Option(names = {"--model_name", "--model-name", "-n"}, paramLabel = "NAME",
            description = "Base name of the IR files (default: the input file's base name).")
    String modelName;

    @Option(names = {"--output_dir", "--output-dir", "-o"}, paramLabel = "DIR", defaultValue = ".",
            description = "Where to write the IR (default: current directory).")
    Path outputDir;

    @Option(names = {"--input"}, paramLabel = "NAMES",
            description = "Comma-separated model inputs the other per-input options refer to; an inner tensor name cuts the graph there.")
    String input;

    @Option(names = {"--input_shape", "--input-shape"}, paramLabel = "SHAPES",
            description = "New input shape(s), e.g. [1,3,192,192] or (1,3,224,224),[1,10]; ? or -1 for a dynamic dimension.")
    String inputShape;

    @Option(names = {"--output"}, paramLabel = "NAMES", description = "Comma-separated tensor names to make the model outputs.")
    String output;

    @Option(names = {"--mean_values", "--mean-values", "-ms"}, paramLabel = "VALUES",
            description = "Per-channel values to subtract, e.g. [127.5,127.5,127.5].")
    String meanValues;

    @Option(names = {"--scale_values", "--scale-values"}, paramLabel = "VALUES",
            description = "Per-channel values to divide by, e.g. [127.5,127.5,127.5].")
    String scaleValues;

    @Option(names = {"--scale", "-s"}, paramLabel = "VALUE", description = "One value to divide all input channels by.")
    Float scale;

    @Option(names = {"--reverse_input_channels", "--reverse-input-channels"},
            description = "Swap the input's channel order (RGB <-> BGR); 3-channel inputs only.")
    boolean reverseInputChannels;

    @Option(names = {"--data_type", "--data-type"}, paramLabel = "TYPE",
            description = "FP32 (default) or FP16 (weights stored as f16, as --compress_to_fp16). An explicit FP32 also "
                    + "stores FP16-compressed weights of the input (an FP16 IR) as f32.")
    String dataType;

    @Option(names = {"--compress_to_fp16", "--compress-to-fp16"}, paramLabel = "BOOL", arity = "0..1",
            fallbackValue = "true", description = "Store floating weights as f16 (default: false).")
    String compressToFp16;

    @Option(names = {"--layout"}, paramLabel = "LAYOUT",
            description = "Input layout for preprocessing: nchw (default for 4-D inputs) or nhwc.")
    String layout;

    @Option(names = {"--transformations-report", "--transformations_report"},
            description = "Print what each graph optimization did.")
    boolean transformationsReport;

    @Override
    public Integer call() {
        if ((inputModel == null) == (savedModelDir == null)) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), inputModel == null
                    ? "Missing required option: '--input_model=FILE' (or --saved_model_dir=DIR)"
                    : "--input_model and --saved_model_dir exclude each other");
        }
        if (savedModelDir != null) {
            inputModel = savedModelDir;
        }
        if (savedModelDir != null || inputModelIsText) {
            framework = framework == null ? "tf" : framework;
        }
        OutputFolder.prepare(outputDir, "--output_dir");
        ConvertOptions options = new ConvertOptions(inputModel, modelName, outputDir, names(input),
                shapes(inputShape), names(output), values(meanValues, "--mean_values"),
                values(scaleValues, "--scale_values"), scale, reverseInputChannels, fp16(), layout(layout),
                new ModelSource(inputModel, inputProto, inputSymbol, framework), explicitFp32());
        System.out.println("Model Optimizer arguments:");
        System.out.println("  Input model:            " + inputModel);
        System.out.println("  Output directory:       " + outputDir.toAbsolutePath().normalize());
        System.out.println("  IR output name:         " + options.modelNameOrDefault());
        System.out.println("  Input shapes:           " + (inputShape == null ? "from the model" : inputShape));
        System.out.println("  Mean values:            " + (meanValues == null ? "not specified" : meanValues));
        System.out.println("  Scale values:           " + (scaleValues == null ? "not specified" : scaleValues));
        System.out.println("  Scale:                  " + (scale == null ? "not specified" : scale));
        System.out.println("  Reverse input channels: " + reverseInputChannels);
        System.out.println("  Precision of IR:        " + (options.compressToFp16() ? "FP16 weights (compressed)" : "FP32"));
        ModelConverter.Result r = ModelConverter.convert(options);
        if (transformationsReport) {
            System.out.println("Transformations:");
            r.report().forEach(step -> System.out.println("  " + step));
        }
        System.out.printf("Graph: %d nodes -> %d nodes%n", r.nodesBefore(), r.nodesAfter());
        System.out.println("[ SUCCESS ] Generated IR version 11 model.");
        System.out.printf("[ SUCCESS ] XML file: %s (%,d bytes)%n", r.files().xml().toAbsolutePath(), r.files().xmlBytes());
        System.out.printf("[ SUCCESS ] BIN file: %s (%,d bytes)%n", r.files().bin().toAbsolutePath(), r.files().binBytes());
        System.out.printf("[ SUCCESS ] Total execution time: %.2f seconds.%n", r.millis() / 1000.0);
        return 0;
    }

    /** {@code --data_type FP32} given explicitly: FP16-compressed weights of the input are stored as f32 again. */
    private boolean explicitFp32() {
        return dataType != null && !fp16() && switch (dataType.toUpperCase(Locale.ROOT)) {
            case "FP32", "FLOAT" -> true;
            default -> false;
        };
    }

    private boolean fp16() {
        boolean byType = false;
        if (dataType != null) {
            byType = switch (dataType.toUpperCase(Locale.ROOT)) {
                case "FP16", "HALF" -> true;
                case "FP32", "FLOAT" -> false;
                default -> throw new InferoException("--data_type must be FP32 or FP16, got '" + dataType + "'");
            };
        }
        if (compressToFp16 == null) {
            return byType;
        }
        return switch (compressToFp16.toLowerCase(Locale.ROOT)) {
            case "true", "1", "yes" -> true;
            case "false", "0", "no" -> byType;
            default -> throw new InferoException("--compress_to_fp16 must be true or false, got '" + compressToFp16 + "'");
        };
    }

    private static String layout(String layout) {
        if (layout == null) {
            return null;
        }
        String l = layout.toLowerCase(Locale.ROOT).replaceAll("[\\[\\],\\s]", "");
        if (!l.equals("nchw") && !l.equals("nhwc") && !l.equals("chw") && !l.equals("hwc")) {
            throw new InferoException("--layout must be nchw or nhwc, got '" + layout + "'");
        }
        return l;
    }

    private static List<String> names(String list) {
        if (list == null || list.isBlank()) {
            return List.of();
        }
        return List.of(list.split("\\s*,\\s*"));
    }

    private static final Pattern SHAPE = Pattern.compile("[\\[(]([^\\])]*)[\\])]");

    /** {@code [1,3,224,224],(1,10)} → shapes; {@code ?} and {@code -1} are dynamic. */
    static List<PartialShape> shapes(String text) {
        if (text == null || text.isBlank()) {
            return List.of();
        }
        List<PartialShape> shapes = new ArrayList<>();
        Matcher m = SHAPE.matcher(text.replace(" ", ""));
        int end = 0;
        while (m.find()) {
            if (m.start() != end && !text.replace(" ", "").substring(end, m.start()).equals(",")) {
                throw new InferoException("--input_shape '" + text + "' is not a list of shapes like [1,3,224,224]");
            }
            end = m.end();
            try {
                shapes.add(PartialShape.parse(m.group(1), false));
            } catch (IllegalArgumentException e) {
                throw new InferoException("--input_shape '" + text + "' has " + e.getMessage());
            }
        }
        if (shapes.isEmpty() || end != text.replace(" ", "").length()) {
            throw new InferoException("--input_shape '" + text + "' is not a list of shapes like [1,3,224,224]");
        }
        return shapes;
    }

    /** {@code [127.5,127.5,127.5]} or {@code 127.5,127.5,127.5} → floats. */
    static float[] values(String text, String option) {
        if (text == null || text.isBlank()) {
            return new float[0];
        }
        String body = text.trim().replaceAll("^[\\[(]|[\\])]$", "");
        String[] parts = body.split("\\s*,\\s*");
        float[] v = new float[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                v[i] = Float.parseFloat(parts[i].trim());
            } catch (NumberFormatException e) {
                throw new InferoException(option + " '" + text + "' is not a list of numbers like [127.5,127.5,127.5]");
            }
            if (!Float.isFinite(v[i])) {
                throw new InferoException(option + " '" + text + "' has a non-finite value");
            }
        }
        return v;
    }
}
