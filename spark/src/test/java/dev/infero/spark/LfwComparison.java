package dev.infero.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.infero.api.CompiledModel;
import dev.infero.api.Core;
import dev.infero.api.InferRequest;
import dev.infero.api.io.ImageInput;
import dev.infero.core.device.PortInfo;
import java.net.URI;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Not a unit test: {@code scripts/spark-lfw.sh} runs it after {@code infero spark-batch} scored the LFW photos, to
 * compare every row of the Parquet output with local inference (Core/CompiledModel on the same file) bit for bit.
 * Skipped unless {@code -Dinfero.spark.compare=<parquet>} and {@code -Dinfero.spark.model=<model>} are given.
 */
class LfwComparison {
    @Test
    void parquetEqualsLocalInference() {
        String parquet = System.getProperty("infero.spark.compare");
        String modelPath = System.getProperty("infero.spark.model");
        Assumptions.assumeTrue(parquet != null && modelPath != null,
                "run by scripts/spark-lfw.sh (-Dinfero.spark.compare=<parquet> -Dinfero.spark.model=<model>)");
        SparkSession spark = SparkSession.builder().master("local[2]").config("spark.ui.enabled", "false")
                .getOrCreate();
        long rows = 0;
        long mismatches = 0;
        long localNanos = 0;
        try (Core core = new Core();
             CompiledModel compiled = core.compileModel(core.readModel(Path.of(modelPath)), "CPU")) {
            InferRequest request = compiled.createInferRequest();
            PortInfo input = compiled.inputs().getFirst();
            List<String> outputs = compiled.outputs().stream().map(PortInfo::name).toList();
            Iterator<Row> it = spark.read().parquet(parquet).toLocalIterator();
            while (it.hasNext()) {
                Row row = it.next();
                Path image = Path.of(URI.create(row.getString(row.fieldIndex("path"))));
                long t0 = System.nanoTime();
                request.setInput(0, ImageInput.load(image, input.type(), input.shape(),
                        ImageInput.Preprocessing.NONE));
                request.infer();
                localNanos += System.nanoTime() - t0;
                for (String name : outputs) {
                    List<Float> got = row.getList(row.fieldIndex(name));
                    float[] want = request.getOutput(name).toFloatArray();
                    float[] have = new float[got.size()];
                    for (int i = 0; i < have.length; i++) {
                        have[i] = got.get(i);
                    }
                    if (!Arrays.equals(want, have)) {
                        mismatches++;
                        System.out.println("MISMATCH " + image + " output " + name);
                    }
                }
                rows++;
            }
        } finally {
            spark.stop();
        }
        System.out.printf("LFW comparison: %d rows, %d output mismatches, local inference (decode+infer, 1 request, "
                + "default config) %.1f s, %.2f ms/image%n", rows, mismatches, localNanos / 1e9,
                rows == 0 ? 0 : localNanos / 1e6 / rows);
        assertEquals(0, mismatches, "outputs that differ from local inference");
    }
}
