package dev.infero.spark;

import dev.infero.api.Core;
import dev.infero.api.Model;
import dev.infero.api.io.ImageInput;
import dev.infero.core.InferoException;
import dev.infero.core.device.PortInfo;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.SparkContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.MetadataBuilder;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Scores a DataFrame column with an Infero model, in the style of a Spark ML {@code Transformer}:
 *
 * <pre>{@code
 * Dataset<Row> images = spark.read().format("binaryFile").load("photos/");
 * Dataset<Row> scored = InferoModel.load(Path.of("blazeface.onnx"))
 *         .setInputCol("content")          // binary image bytes, or array<float> tensor values
 *         .setOutputCol("prediction")      // struct<output name: array<float>, ...>
 *         .transform(images);
 * scored.select("path", "prediction.*").write().parquet("scores.parquet");
 * }</pre>
 *
 * <p>The input column is either binary (an encoded PNG/JPEG/BMP/GIF image, decoded with {@link ImageInput} and resized
 * to the model input's height and width exactly as {@code infero run} does) or {@code array<float>} /
 * {@code array<double>} (the input tensor's values, row-major, as many as its static shape holds). The model must
 * have one input. The output column is a struct with one {@code array<float>} field per model output (or per name
 * given to {@link #setOutputNames}), its values flattened row-major; a field's metadata holds the output's shape.
 *
 * <p>Execution: the model files are read on the driver and broadcast, so executors need no shared file system; each
 * executor JVM compiles the model once ({@link ExecutorModels}, keyed by the files' SHA-256) and every task thread
 * takes its own infer request; partitions are streamed with {@code mapPartitions}, row by row, never collected.
 *
 * <p>Rows whose input cannot be used (an undecodable image, a null value, a tensor of the wrong length) are handled as
 * {@link #setHandleInvalid} says: {@code error} (default) fails the job with a message naming the row, {@code keep}
 * keeps the row with a null prediction and the reason in {@code <outputCol>_error}, {@code skip} drops it.
 */
public final class InferoModel {
    /** Values of {@link #setHandleInvalid}, as in Spark ML's feature transformers. */
    public static final List<String> HANDLE_INVALID = List.of("error", "keep", "skip");
    /**
     * Metadata key of the output column: a metadata object mapping each output name to its shape, e.g.
     * {@code [1,896,16]} ({@code -1} for a dynamic dimension).
     */
    public static final String SHAPES_METADATA = "infero.shapes";

    private final Path path;
    private final ModelBundle bundle;
    private final PortInfo input;
    private final List<PortInfo> outputs;
    private String inputCol = "content";
    private String outputCol = "prediction";
    private String pathCol = "path";
    private List<String> outputNames;
    private String handleInvalid = "error";
    private String device = "CPU";
    private Map<String, String> config = new LinkedHashMap<>();
    private float[] mean = {0};
    private float[] scale = {1};
    private boolean reverseChannels;
    private transient Broadcast<ModelBundle> broadcast;
    private transient SparkContext broadcastContext;

    private InferoModel(Path path, ModelBundle bundle, PortInfo input, List<PortInfo> outputs) {
        this.path = path;
        this.bundle = bundle;
        this.input = input;
        this.outputs = outputs;
        this.outputNames = outputs.stream().map(PortInfo::name).toList();
    }

    /**
     * Reads an OpenVINO IR ({@code .xml} with its {@code .bin}) or ONNX model on the driver: its files are what will be
     * broadcast, and its ports give the output schema. Throws an {@link InferoException} naming a missing or
     * unreadable file, or a model with other than one input.
     */
    public static InferoModel load(Path path) {
        ModelBundle bundle = ModelBundle.read(path);
        Model model;
        try (Core core = new Core()) {
            model = core.readModel(path);
        }
        if (model.inputs().size() != 1) {
            throw new InferoException("model " + path + " has " + model.inputs().size() + " inputs "
                    + model.inputs().stream().map(PortInfo::name).toList()
                    + "; InferoModel feeds one input column, so the model must have exactly one input");
        }
        return new InferoModel(path, bundle, model.inputs().getFirst(), List.copyOf(model.outputs()));
    }

    /** {@link #load(Path)} for a path string. */
    public static InferoModel load(String path) {
        return load(Path.of(path));
    }

    /** The column scored: binary image bytes or an {@code array<float>} of tensor values (default {@code content}). */
    public InferoModel setInputCol(String column) {
        this.inputCol = column;
        return this;
    }

    /** The struct column the outputs go to (default {@code prediction}). */
    public InferoModel setOutputCol(String column) {
        this.outputCol = column;
        return this;
    }

    /** The column errors name a row by when present (default {@code path}, as {@code binaryFile} has). */
    public InferoModel setPathCol(String column) {
        this.pathCol = column;
        return this;
    }

    /** Which model outputs to return, in this order (default: all, in the model's order). */
    public InferoModel setOutputNames(String... names) {
        List<String> available = outputs.stream().map(PortInfo::name).toList();
        for (String n : names) {
            if (!available.contains(n)) {
                throw new InferoException("model " + path + " has no output '" + n + "'; its outputs are "
                        + available);
            }
        }
        if (names.length == 0) {
            throw new InferoException("setOutputNames needs at least one output name");
        }
        this.outputNames = List.of(names);
        return this;
    }

    /** {@code error} (default), {@code keep} or {@code skip}: what a row with an unusable input does. */
    public InferoModel setHandleInvalid(String mode) {
        String m = mode.toLowerCase(Locale.ROOT);
        if (!HANDLE_INVALID.contains(m)) {
            throw new InferoException("handleInvalid must be one of " + HANDLE_INVALID + ", got '" + mode + "'");
        }
        this.handleInvalid = m;
        return this;
    }

    /** The device the executors compile for (default {@code CPU}). */
    public InferoModel setDevice(String device) {
        this.device = device;
        return this;
    }

    /**
     * Compile properties (OpenVINO's keys, see {@code Core.compileModel}). Unless given, {@code INFERENCE_NUM_THREADS}
     * is Spark's {@code spark.task.cpus} (1 by default): Spark runs one task per core, each with its own request.
     */
    public InferoModel setConfig(Map<String, String> config) {
        this.config = new LinkedHashMap<>(config);
        return this;
    }

    /** Image preprocessing, as {@code infero run}'s {@code --mean-values}, {@code --scale-values}, BGR order. */
    public InferoModel setPreprocessing(float[] mean, float[] scale, boolean reverseChannels) {
        this.mean = mean.clone();
        this.scale = scale.clone();
        this.reverseChannels = reverseChannels;
        return this;
    }

    public String getInputCol() {
        return inputCol;
    }

    public String getOutputCol() {
        return outputCol;
    }

    public List<String> getOutputNames() {
        return outputNames;
    }

    /** The column holding the reason a row was not scored, with {@code handleInvalid=keep}. */
    public String getErrorCol() {
        return outputCol + "_error";
    }

    /** The model's single input. */
    public PortInfo input() {
        return input;
    }

    /** SHA-256 of the model files (the executor cache's key). */
    public String modelHash() {
        return bundle.sha256();
    }

    /** The schema {@link #transform} produces from {@code schema}; throws for a missing or unusable input column. */
    public StructType transformSchema(StructType schema) {
        inputKind(schema);
        List<String> names = Arrays.asList(schema.fieldNames());
        if (names.contains(outputCol)) {
            throw new InferoException("output column '" + outputCol + "' already exists; choose another with "
                    + "setOutputCol");
        }
        StructType out = schema.add(new StructField(outputCol, outputStruct(), true, shapes()));
        if (handleInvalid.equals("keep")) {
            if (names.contains(getErrorCol())) {
                throw new InferoException("error column '" + getErrorCol() + "' already exists");
            }
            out = out.add(getErrorCol(), DataTypes.StringType, true);
        }
        return out;
    }

    private StructType outputStruct() {
        List<StructField> fields = new ArrayList<>();
        for (String name : outputNames) {
            fields.add(new StructField(name, DataTypes.createArrayType(DataTypes.FloatType, false), false,
                    Metadata.empty()));
        }
        return DataTypes.createStructType(fields);
    }

    private Metadata shapes() {
        MetadataBuilder shapes = new MetadataBuilder();
        for (String name : outputNames) {
            PortInfo port = outputs.stream().filter(p -> p.name().equals(name)).findFirst().orElseThrow();
            shapes.putString(name, port.shape().hasRank()
                    ? Arrays.toString(port.shape().dimsOrDynamic()).replace(" ", "") : "?");
        }
        return new MetadataBuilder().putMetadata(SHAPES_METADATA, shapes.build()).build();
    }

    private PartitionScorer.InputKind inputKind(StructType schema) {
        if (!Arrays.asList(schema.fieldNames()).contains(inputCol)) {
            throw new InferoException("input column '" + inputCol + "' does not exist; columns are "
                    + Arrays.toString(schema.fieldNames()));
        }
        DataType type = schema.apply(inputCol).dataType();
        if (type.equals(DataTypes.BinaryType)) {
            return PartitionScorer.InputKind.IMAGE;
        }
        if (type instanceof ArrayType a && a.elementType().equals(DataTypes.FloatType)) {
            return PartitionScorer.InputKind.FLOATS;
        }
        if (type instanceof ArrayType a && a.elementType().equals(DataTypes.DoubleType)) {
            return PartitionScorer.InputKind.DOUBLES;
        }
        throw new InferoException("input column '" + inputCol + "' is " + type.simpleString()
                + "; expected binary (encoded image bytes) or array<float> / array<double> (tensor values)");
    }

    /**
     * Scores {@code df}: every column of it plus {@link #getOutputCol()} (and {@link #getErrorCol()} with
     * {@code handleInvalid=keep}). Lazy, like every Spark transformation: the work happens when the result is
     * written or otherwise consumed, partition by partition on the executors.
     */
    public Dataset<Row> transform(Dataset<?> df) {
        Dataset<Row> rows = df.toDF();
        StructType schema = rows.schema();
        StructType outSchema = transformSchema(schema);
        SparkSession spark = rows.sparkSession();
        Map<String, String> compileConfig = new LinkedHashMap<>(config);
        compileConfig.putIfAbsent("INFERENCE_NUM_THREADS", spark.sparkContext().getConf().get("spark.task.cpus", "1"));
        int pathIndex = Arrays.asList(schema.fieldNames()).indexOf(pathCol);
        PartitionScorer scorer = new PartitionScorer(broadcast(spark), device, compileConfig, inputKind(schema),
                schema.fieldIndex(inputCol), pathIndex, input.name(), input.type(), input.shape().hasRank()
                        ? input.shape().dimsOrDynamic() : null,
                new ImageInput.Preprocessing(mean, scale, reverseChannels), outputNames, handleInvalid);
        // The encoder keeps the types; the shapes go back on as the output column's metadata.
        return rows.mapPartitions(scorer, Encoders.row(outSchema)).withMetadata(outputCol, shapes());
    }

    /** The model files broadcast on {@code spark}'s context: once per context, re-broadcast for a new one. */
    private synchronized Broadcast<ModelBundle> broadcast(SparkSession spark) {
        SparkContext context = spark.sparkContext();
        if (broadcast == null || context != broadcastContext) {
            broadcast = JavaSparkContext.fromSparkContext(context).broadcast(bundle);
            broadcastContext = context;
        }
        return broadcast;
    }
}
