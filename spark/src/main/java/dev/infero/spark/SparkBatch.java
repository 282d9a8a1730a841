package dev.infero.spark;

import dev.infero.api.io.CommandErrors;
import dev.infero.core.InferoException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.DataFrameReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import picocli.CommandLine;

/**
 * The {@code spark-batch} job: reads images with Spark's {@code binaryFile} source, scores them with
 * {@link InferoModel} and writes {@code path} plus one {@code array<float>} column per output to Parquet. Also the
 * main class for {@code spark-submit --class dev.infero.spark.SparkBatch}, taking the command's options.
 */
public final class SparkBatch {
    private SparkBatch() {
    }

    /** The command's options. */
    public record Options(Path model, String input, String output, String master, List<String> outputNames,
                          String glob, boolean recursive, Integer partitions, String handleInvalid, float[] mean,
                          float[] scale, boolean reverseChannels, boolean overwrite) {
    }

    /** What was written: rows in the output, images not scored (kept with an error, or skipped), wall time. */
    public record Summary(long rows, long failed, String output, double seconds) {
    }

    /** {@code spark-submit} entry point: the same options and exit codes as {@code infero spark-batch}. */
    public static void main(String[] args) {
        System.exit(execute(null, null, args));
    }

    /**
     * Runs the command line (as {@code infero spark-batch}) and returns its exit code: 0, 1 failure, 2 usage, 4 out of
     * memory, stack overflow or an unexpected error (reported as {@code infero} does: {@link CommandErrors}).
     */
    public static int execute(PrintWriter out, PrintWriter err, String... args) {
        return CommandErrors.execute(new CommandLine(new SparkBatchCommand()), out, err, args);
    }

    /** Runs the job; every failure (missing model or input, undecodable image, Spark error) is an InferoException. */
    public static Summary run(Options o) {
        long start = System.nanoTime();
        InferoModel model = InferoModel.load(o.model())
                .setInputCol("content")
                .setOutputCol("prediction")
                .setHandleInvalid(o.handleInvalid())
                .setPreprocessing(o.mean(), o.scale(), o.reverseChannels());
        if (o.outputNames() != null && !o.outputNames().isEmpty()) {
            model.setOutputNames(o.outputNames().toArray(String[]::new));
        }
        boolean ownSession = SparkSession.getDefaultSession().isEmpty();
        SparkSession spark = session(o.master());
        try {
            DataFrameReader reader = spark.read().format("binaryFile");
            if (o.glob() != null) {
                reader = reader.option("pathGlobFilter", o.glob());
            }
            if (o.recursive()) {
                reader = reader.option("recursiveFileLookup", "true");
            }
            Dataset<Row> images = reader.load(o.input());
            if (o.partitions() != null) {
                if (o.partitions() < 1) {
                    throw new InferoException("--partitions must be at least 1, got " + o.partitions());
                }
                images = images.repartition(o.partitions());
            }
            Dataset<Row> scored = model.transform(images);
            List<Column> columns = new ArrayList<>();
            columns.add(functions.col("path"));
            for (String name : model.getOutputNames()) {
                columns.add(functions.col("prediction").getField(name).alias(name));
            }
            boolean keep = o.handleInvalid().equalsIgnoreCase("keep");
            if (keep) {
                columns.add(functions.col(model.getErrorCol()).alias("error"));
            }
            scored.select(columns.toArray(Column[]::new)).write()
                    .mode(o.overwrite() ? SaveMode.Overwrite : SaveMode.ErrorIfExists)
                    .parquet(o.output());
            Dataset<Row> written = spark.read().parquet(o.output());
            long rows = written.count();
            long failed = 0;
            if (keep) {
                failed = written.filter(functions.col("error").isNotNull()).count();
            } else if (o.handleInvalid().equalsIgnoreCase("skip")) {
                failed = images.count() - rows;
            }
            return new Summary(rows, failed, o.output(), (System.nanoTime() - start) / 1e9);
        } catch (InferoException e) {
            throw e;
        } catch (Exception e) {
            // Spark's AnalysisException (missing input, existing output) is a checked exception thrown from Scala.
            throw unwrap(e);
        } finally {
            if (ownSession) {
                spark.stop();
            }
        }
    }

    /** A session on {@code master}; without one, spark-submit's master, else an embedded {@code local[*]}. */
    static SparkSession session(String master) {
        SparkSession.Builder b = SparkSession.builder().appName("infero spark-batch");
        SparkConf conf = new SparkConf();
        if (master != null) {
            b = b.master(master);
            if (master.startsWith("local")) {
                b = local(b);
            }
        } else if (!conf.contains("spark.master")) {
            b = local(b.master("local[*]"));
        }
        return b.getOrCreate();
    }

    /**
     * Settings for an embedded local master: no web UI, and the input folders listed on the driver (a distributed
     * listing job for a folder of many sub-folders costs seconds on one machine and gains nothing).
     */
    private static SparkSession.Builder local(SparkSession.Builder b) {
        return b.config("spark.ui.enabled", "false")
                .config("spark.sql.sources.parallelPartitionDiscovery.threshold", "100000");
    }

    /**
     * The InferoException behind a Spark failure (an executor's exception comes back wrapped in a SparkException),
     * or one carrying Spark's own message (a missing input path, an existing output).
     */
    static InferoException unwrap(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof InferoException ie) {
                return new InferoException(ie.getMessage(), e);
            }
        }
        String message = e.getMessage() == null ? e.toString() : e.getMessage();
        return new InferoException("Spark job failed: " + message.lines().findFirst().orElse(message), e);
    }
}
