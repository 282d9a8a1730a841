package dev.infero.spark;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.infero.api.io.ImageInput;
import dev.infero.api.io.ImageOptions;
import dev.infero.core.InferoException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code infero spark-batch}: scores a folder of images with a model on Apache Spark and writes Parquet. This class
 * refers to no Spark type (the job itself is {@link SparkBatch}), so the CLI starts without Spark on its class path
 * and this command explains how to get it when it is missing.
 */
@Command(name = "spark-batch", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Score a folder of images with a model on Apache Spark and write the outputs to Parquet "
                + "(columns: path, then one array<float> per model output).",
            "Runs on an embedded local master by default; --master spark://... or spark-submit for a cluster."})
public final class SparkBatchCommand implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = {"-m", "--model"}, required = true, description = "Model: OpenVINO IR .xml (with its .bin) or .onnx.")
    Path model;

    @Option(names = {"-i", "--input"}, required = true,
            description = "Folder (or file, or Hadoop glob such as 'photos/*/*.jpg') of images; read with Spark's "
                    + "binaryFile source, so any file system Spark reads (file:, hdfs:, s3a:) works.")
    String input;

    @Option(names = {"-o", "--output"}, required = true, description = "Parquet folder to write.")
    String output;

    @Option(names = "--master", description = "Spark master (default: local[*], or what spark-submit set).")
    String master;

    @Option(names = "--output-names", split = ",", paramLabel = "NAME",
            description = "Model outputs to write, in this order (default: all).")
    List<String> outputNames;

    @Option(names = "--glob", paramLabel = "PATTERN",
            description = "Only files whose name matches, e.g. '*.jpg' (Spark's pathGlobFilter).")
    String glob;

    @Option(names = "--recursive", description = "Read images in sub-folders too.")
    boolean recursive;

    @Option(names = "--partitions", description = "Repartition the images into this many partitions (default: "
            + "Spark's split of the input).")
    Integer partitions;

    @Option(names = "--handle-invalid", defaultValue = "error", paramLabel = "error|keep|skip",
            description = "An image that cannot be decoded: fail the job (default), keep the row with null outputs "
                    + "and the reason in column 'error', or skip it.")
    String handleInvalid;

    @Mixin
    ImageOptions image = new ImageOptions();

    @Option(names = "--overwrite", description = "Replace the output folder if it exists.")
    boolean overwrite;

    @Option(names = "--json", description = "Print the summary as JSON.")
    boolean json;

    @Override
    public Integer call() {
        if (!sparkPresent()) {
            throw new InferoException("Apache Spark is not on the class path. Run through the launcher "
                    + "('./infero spark-batch ...' adds Spark when the project is built), or submit to a cluster: "
                    + "spark-submit --class dev.infero.spark.SparkBatch --jars <Infero's jars> ... (see docs/spark.md)");
        }
        // Spark logs every stage at INFO; the command shows warnings and its own summary unless told otherwise.
        if (System.getProperty("log4j2.configurationFile") == null) {
            System.setProperty("log4j2.configurationFile", "dev/infero/spark/log4j2-cli.properties");
        }
        ImageInput.Preprocessing prep = image.preprocessing();
        SparkBatch.Options o = new SparkBatch.Options(model, input, output, master, outputNames, glob, recursive,
                partitions, handleInvalid, prep.mean(), prep.scale(), prep.reverseChannels(), overwrite);
        SparkBatch.Summary s = SparkBatch.run(o);
        var out = spec.commandLine().getOut();
        if (json) {
            Map<String, Object> summary = new LinkedHashMap<>();
            summary.put("rows", s.rows());
            summary.put("failed", s.failed());
            summary.put("output", s.output());
            summary.put("seconds", BigDecimal.valueOf(s.seconds()).setScale(3, RoundingMode.HALF_UP));
            out.println(json(summary));
        } else {
            out.printf("scored %d images (%d not scored) into %s in %.1f s%n", s.rows(), s.failed(), s.output(),
                    s.seconds());
        }
        out.flush();
        return 0;
    }

    static boolean sparkPresent() {
        try {
            Class.forName("org.apache.spark.sql.SparkSession", false, SparkBatchCommand.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    private static String json(Map<String, Object> summary) {
        try {
            return new JsonMapper().writeValueAsString(summary);
        } catch (JsonProcessingException e) {
            throw new InferoException("cannot write the summary as JSON: " + e.getOriginalMessage(), e);
        }
    }
}
