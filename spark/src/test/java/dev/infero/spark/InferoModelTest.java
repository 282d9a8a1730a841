package dev.infero.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infero.api.CompiledModel;
import dev.infero.api.Core;
import dev.infero.api.InferRequest;
import dev.infero.api.io.ImageInput;
import dev.infero.core.InferoException;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.onnx.OnnxModelBuilder;
import dev.infero.testing.SharedData;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * InferoModel on an embedded Spark ({@code local[2]}): scores images and tensors and must equal local inference
 * (Core/CompiledModel on the same inputs) bit for bit; bad rows and missing files give clear errors.
 */
class InferoModelTest {
    private static SparkSession spark;
    @TempDir
    static Path dir;
    private static Path model;
    private static Path images;

    @BeforeAll
    static void start() throws IOException {
        spark = SparkSession.builder().master("local[2]").appName("infero-spark-test")
                .config("spark.ui.enabled", "false")
                .config("spark.sql.shuffle.partitions", "2")
                .getOrCreate();
        model = tinyModel(dir.resolve("tiny.onnx"));
        images = Files.createDirectories(dir.resolve("images"));
        Random random = new Random(7);
        for (int i = 0; i < 6; i++) {
            // Sizes differ from the model's 8x8, so the resize path is exercised too.
            BufferedImage img = new BufferedImage(10 + i, 9 + 2 * i, BufferedImage.TYPE_INT_RGB);
            for (int y = 0; y < img.getHeight(); y++) {
                for (int x = 0; x < img.getWidth(); x++) {
                    img.setRGB(x, y, random.nextInt(1 << 24));
                }
            }
            ImageIO.write(img, "png", images.resolve("img" + i + ".png").toFile());
        }
    }

    @AfterAll
    static void stop() {
        if (spark != null) {
            spark.stop();
        }
        ExecutorModels.clear();
    }

    /** A small CNN: [1,3,8,8] -> Conv 3->4 (3x3) -> Relu -> "features" [1,4,6,6], and ReduceMean -> "score" [1,4]. */
    static Path tinyModel(Path file) {
        Random r = new Random(11);
        float[] w = new float[4 * 3 * 3 * 3];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) r.nextGaussian() * 0.1f;
        }
        OnnxModelBuilder b = new OnnxModelBuilder("tiny", 17)
                .input("image", ElementType.F32, 1, 3, 8, 8)
                .initializer("w", Tensor.of(w, 4, 3, 3, 3))
                .initializer("b", Tensor.of(new float[] {0.1f, -0.2f, 0.3f, 0f}, 4))
                .output("features", ElementType.F32, 1, 4, 6, 6)
                .output("score", ElementType.F32, 1, 4);
        b.node("Conv", "conv").inputs("image", "w", "b").outputs("conv");
        b.node("Relu", "relu").inputs("conv").outputs("features");
        b.node("ReduceMean", "mean").inputs("features").outputs("score").attrInts("axes", 2, 3).attr("keepdims", 0L);
        b.write(file);
        return file;
    }

    /** Local inference with the plain API: output name -> values, per input. */
    private static List<Map<String, float[]>> local(Path modelFile, List<Tensor> inputs) {
        List<Map<String, float[]>> out = new ArrayList<>();
        try (Core core = new Core(); CompiledModel compiled = core.compileModel(core.readModel(modelFile), "CPU")) {
            InferRequest request = compiled.createInferRequest();
            for (Tensor t : inputs) {
                request.setInput(0, t);
                request.infer();
                Map<String, float[]> values = new HashMap<>();
                for (var port : compiled.outputs()) {
                    values.put(port.name(), request.getOutput(port.name()).toFloatArray());
                }
                out.add(values);
            }
        }
        return out;
    }

    private static Tensor localImage(Path modelFile, Path image) {
        try (Core core = new Core()) {
            var port = core.readModel(modelFile).inputs().getFirst();
            return ImageInput.load(image, port.type(), port.shape(), ImageInput.Preprocessing.NONE);
        }
    }

    private static float[] floats(Row prediction, String name) {
        List<Float> list = prediction.getList(prediction.fieldIndex(name));
        float[] v = new float[list.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = list.get(i);
        }
        return v;
    }

    private static String fileOf(Row row) {
        String p = row.getString(row.fieldIndex("path"));
        return p.substring(p.lastIndexOf('/') + 1);
    }

    @Test
    void scoresImagesLikeLocalInferenceBitForBit() throws IOException {
        ExecutorModels.clear();
        Dataset<Row> files = spark.read().format("binaryFile").load(images.toString()).repartition(3);
        InferoModel infero = InferoModel.load(model);
        Dataset<Row> scored = infero.transform(files);
        StructType prediction = (StructType) scored.schema().apply("prediction").dataType();
        assertEquals(List.of("features", "score"), List.of(prediction.fieldNames()));
        assertEquals("[1,4]", scored.schema().apply("prediction").metadata()
                .getMetadata(InferoModel.SHAPES_METADATA).getString("score"));
        List<Row> rows = scored.select("path", "prediction").collectAsList();
        assertEquals(6, rows.size());
        List<Path> paths = rows.stream().map(r -> images.resolve(fileOf(r))).toList();
        List<Map<String, float[]>> expected = local(model,
                paths.stream().map(p -> localImage(model, p)).toList());
        for (int i = 0; i < rows.size(); i++) {
            Row p = rows.get(i).getStruct(1);
            assertArrayEquals(expected.get(i).get("features"), floats(p, "features"), 0f, paths.get(i).toString());
            assertArrayEquals(expected.get(i).get("score"), floats(p, "score"), 0f, paths.get(i).toString());
        }
        // One compiled model in this JVM however many partitions and transforms ran it.
        infero.transform(files).count();
        assertEquals(1, ExecutorModels.size());
    }

    @Test
    void scoresArrayColumnsAndSelectsOutputs() {
        Random r = new Random(3);
        List<Row> data = new ArrayList<>();
        List<Tensor> inputs = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            float[] x = new float[3 * 8 * 8];
            List<Float> boxed = new ArrayList<>();
            for (int j = 0; j < x.length; j++) {
                x[j] = r.nextFloat() * 255;
                boxed.add(x[j]);
            }
            inputs.add(Tensor.of(x, 1, 3, 8, 8));
            data.add(RowFactory.create(i, boxed));
        }
        StructType schema = new StructType().add("id", DataTypes.IntegerType)
                .add("x", DataTypes.createArrayType(DataTypes.FloatType));
        Dataset<Row> df = spark.createDataFrame(data, schema).repartition(2);
        Dataset<Row> scored = InferoModel.load(model).setInputCol("x").setOutputCol("y").setOutputNames("score")
                .transform(df);
        List<Map<String, float[]>> expected = local(model, inputs);
        List<Row> rows = scored.select("id", "y").collectAsList();
        assertEquals(5, rows.size());
        for (Row row : rows) {
            Row y = row.getStruct(1);
            assertEquals(1, y.length(), "only the selected output");
            assertArrayEquals(expected.get(row.getInt(0)).get("score"), floats(y, "score"), 0f);
        }
    }

    @Test
    void wrongTensorLengthNamesTheRowAndSizes() {
        StructType schema = new StructType().add("x", DataTypes.createArrayType(DataTypes.FloatType));
        Dataset<Row> df = spark.createDataFrame(List.of(RowFactory.create(List.of(1f, 2f, 3f))), schema);
        Exception e = assertThrows(Exception.class,
                () -> InferoModel.load(model).setInputCol("x").transform(df).collectAsList());
        String message = SparkBatch.unwrap(e).getMessage();
        assertTrue(message.contains("has 3 values") && message.contains("needs 192"), message);
    }

    @Test
    void undecodableImageFailsNamingTheFileOrIsKeptWithTheReasonOrSkipped() throws IOException {
        Path mixed = Files.createDirectories(dir.resolve("mixed"));
        Files.copy(images.resolve("img0.png"), mixed.resolve("good.png"));
        Files.write(mixed.resolve("broken.png"), new byte[] {(byte) 0x89, 'P', 'N', 'G', 1, 2, 3});
        Dataset<Row> files = spark.read().format("binaryFile").load(mixed.toString());

        Exception e = assertThrows(Exception.class, () -> InferoModel.load(model).transform(files).collectAsList());
        String message = SparkBatch.unwrap(e).getMessage();
        assertTrue(message.contains("broken.png") && message.contains("handleInvalid"), message);

        List<Row> kept = InferoModel.load(model).setHandleInvalid("keep").transform(files)
                .select("path", "prediction", "prediction_error").collectAsList();
        assertEquals(2, kept.size());
        for (Row row : kept) {
            if (fileOf(row).equals("broken.png")) {
                assertTrue(row.isNullAt(1));
                assertTrue(row.getString(2).contains("broken.png"), row.getString(2));
            } else {
                assertNotNull(row.getStruct(1));
                assertNull(row.get(2));
            }
        }

        List<Row> skipped = InferoModel.load(model).setHandleInvalid("skip").transform(files)
                .select("path").collectAsList();
        assertEquals(List.of("good.png"), skipped.stream().map(InferoModelTest::fileOf).toList());
    }

    @Test
    void missingModelFilesAndBadColumnsAreClearErrors() throws IOException {
        InferoException missing = assertThrows(InferoException.class,
                () -> InferoModel.load(dir.resolve("absent.onnx")));
        assertTrue(missing.getMessage().contains("absent.onnx") && missing.getMessage().contains("does not exist"));
        Path xml = dir.resolve("lonely.xml");
        Files.writeString(xml, "<net/>");
        InferoException noBin = assertThrows(InferoException.class, () -> InferoModel.load(xml));
        assertTrue(noBin.getMessage().contains("lonely.bin"), noBin.getMessage());

        Dataset<Row> files = spark.read().format("binaryFile").load(images.toString());
        InferoException column = assertThrows(InferoException.class,
                () -> InferoModel.load(model).setInputCol("pixels").transform(files));
        assertTrue(column.getMessage().contains("'pixels' does not exist"), column.getMessage());
        InferoException wrongType = assertThrows(InferoException.class,
                () -> InferoModel.load(model).setInputCol("length").transform(files));
        assertTrue(wrongType.getMessage().contains("bigint"), wrongType.getMessage());
        assertThrows(InferoException.class, () -> InferoModel.load(model).setOutputNames("nope"));
    }

    @Test
    void sparkBatchWritesParquetEqualToLocalInference() {
        String out = dir.resolve("scores.parquet").toString();
        SparkBatch.Summary s = SparkBatch.run(new SparkBatch.Options(model, images.toString(), out, "local[2]",
                null, "*.png", false, 2, "error", new float[] {0}, new float[] {1}, false, false));
        assertEquals(6, s.rows());
        List<Row> rows = spark.read().parquet(out).collectAsList();
        assertEquals(6, rows.size());
        for (Row row : rows) {
            Path image = images.resolve(fileOf(row));
            Map<String, float[]> expected = local(model, List.of(localImage(model, image))).getFirst();
            assertArrayEquals(expected.get("score"), floats(row, "score"), 0f);
            assertArrayEquals(expected.get("features"), floats(row, "features"), 0f);
        }
        // The output exists now: a second run without --overwrite refuses, with Spark's reason.
        InferoException exists = assertThrows(InferoException.class, () -> SparkBatch.run(
                new SparkBatch.Options(model, images.toString(), out, null, null, null, false, null, "error",
                        new float[] {0}, new float[] {1}, false, false)));
        assertTrue(exists.getMessage().contains("already exists"), exists.getMessage());
    }

    @Test
    void commandLineReportsAMissingModelAndWritesParquetWithJson() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = SparkBatch.execute(new PrintWriter(out, true), new PrintWriter(err, true), "--model",
                dir.resolve("nope.xml").toString(), "--input", images.toString(), "--output",
                dir.resolve("never.parquet").toString());
        assertEquals(1, code);
        assertTrue(err.toString().startsWith("error: model file ") && err.toString().contains("nope.xml"),
                err.toString());
        assertTrue(!Files.exists(dir.resolve("never.parquet")), "nothing written");

        String scores = dir.resolve("cli.parquet").toString();
        code = SparkBatch.execute(new PrintWriter(out, true), new PrintWriter(err, true), "-m", model.toString(),
                "-i", images.toString(), "-o", scores, "--output-names", "score", "--json");
        assertEquals(0, code, err.toString());
        assertTrue(out.toString().contains("\"rows\":6"), out.toString());
        assertEquals(List.of("path", "score"), List.of(spark.read().parquet(scores).columns()));
    }

    @Test
    void blazeFaceOnLfwEqualsLocalInference() throws IOException {
        Path blazeface = SharedData.require("models/face/blazeface.onnx");
        Path lfw = SharedData.require("data/lfw-faces");
        List<Path> photos;
        try (Stream<Path> walk = Files.walk(lfw)) {
            photos = walk.filter(p -> p.toString().endsWith(".jpg")).sorted().limit(20).toList();
        }
        Dataset<Row> files = spark.read().format("binaryFile")
                .load(photos.stream().map(Path::toString).toArray(String[]::new));
        Dataset<Row> scored = InferoModel.load(blazeface).transform(files);
        List<Row> rows = scored.select("path", "prediction").collectAsList();
        assertEquals(20, rows.size());
        Map<String, Path> byName = new HashMap<>();
        photos.forEach(p -> byName.put(p.getFileName().toString(), p));
        List<Path> order = rows.stream().map(r -> byName.get(fileOf(r))).toList();
        List<Map<String, float[]>> expected = local(blazeface,
                order.stream().map(p -> localImage(blazeface, p)).toList());
        for (int i = 0; i < rows.size(); i++) {
            Row p = rows.get(i).getStruct(1);
            for (String name : p.schema().fieldNames()) {
                assertArrayEquals(expected.get(i).get(name), floats(p, name), 0f, order.get(i) + " " + name);
            }
        }
    }
}
