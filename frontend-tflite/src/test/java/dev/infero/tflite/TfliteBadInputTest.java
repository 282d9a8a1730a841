package dev.infero.tflite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infero.core.InferoException;
import dev.infero.core.UnsupportedModelException;
import dev.infero.core.frontend.ModelSource;
import dev.infero.tflite.schema.TensorType;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Corrupt and unsupported files: one {@link InferoException} naming the file and the element, never a crash. */
class TfliteBadInputTest {
    @TempDir
    Path dir;

    /** input → CONV_2D (weights, bias) → RELU → output, as written by {@link TfliteTestModel}. */
    static TfliteTestModel small() {
        TfliteTestModel m = new TfliteTestModel();
        int x = m.input("x", 1, 3, 3, 2);
        int w = m.floats("w", new float[2 * 3 * 3 * 2], 2, 3, 3, 2);
        int b = m.floats("b", new float[2], 2);
        int c = m.tensor("c", TensorType.FLOAT32, 1, 1, 1, 2);
        int y = m.output(m.tensor("y", TensorType.FLOAT32, 1, 1, 1, 2));
        m.op(TfliteOps.CONV_2D, new int[] {x, w, b}, new int[] {c}, dev.infero.tflite.schema.BuiltinOptions.Conv2DOptions,
                fb -> dev.infero.tflite.schema.Conv2DOptions.createConv2DOptions(fb,
                        dev.infero.tflite.schema.Padding.VALID, 1, 1, (byte) 0, 1, 1, (byte) 0));
        m.op(TfliteOps.RELU, new int[] {c}, new int[] {y});
        return m;
    }

    static InferoException fails(ByteBuffer bytes) {
        return assertThrows(InferoException.class,
                () -> TfliteImporter.importModel(TfliteModelFile.parse(bytes, "bad.tflite"), "bad"));
    }

    @Test
    void theSmallModelReads() {
        assertEquals(1, small().graph().results().size());
    }

    @Test
    void truncatedFilesAreRejectedAtEveryLength() {
        byte[] whole = bytes(small().build());
        for (int len = 0; len < whole.length; len += 3) {
            InferoException e = fails(ByteBuffer.wrap(Arrays.copyOf(whole, len)));
            assertTrue(e.getMessage().contains("bad.tflite"), e.getMessage());
        }
    }

    @Test
    void randomCorruptionNeverCrashes() {
        byte[] whole = bytes(small().build());
        Random random = new Random(3);
        for (int trial = 0; trial < 3000; trial++) {
            byte[] corrupt = whole.clone();
            for (int k = 0; k < 1 + random.nextInt(4); k++) {
                corrupt[8 + random.nextInt(corrupt.length - 8)] = (byte) random.nextInt(256);
            }
            try {
                TfliteImporter.importModel(TfliteModelFile.parse(ByteBuffer.wrap(corrupt), "bad.tflite"), "bad");
            } catch (InferoException e) {
                assertTrue(e.getMessage().contains("bad.tflite"), e.getMessage());
                assertFalse(e.getMessage().contains("Exception"), "the verifier catches it: " + e.getMessage());
            }
        }
    }

    @Test
    void outOfRangeRootAndOffsetsNameTheElement() {
        byte[] b = bytes(small().build());
        ByteBuffer bb = ByteBuffer.wrap(b.clone()).order(ByteOrder.LITTLE_ENDIAN);
        bb.putInt(0, 1 << 30);
        assertTrue(fails(bb).getMessage().contains("root table offset"));
        assertTrue(fails(ByteBuffer.wrap(new byte[] {1, 2, 3})).getMessage().contains("fewer than"));
        assertTrue(fails(ByteBuffer.wrap(new byte[0])).getMessage().contains("empty"));
        byte[] wrongId = b.clone();
        wrongId[4] = 'X';
        assertTrue(fails(ByteBuffer.wrap(wrongId)).getMessage().contains("TFL3"));
    }

    @Test
    void badBufferAndTensorIndicesAndSizes() {
        TfliteTestModel m = new TfliteTestModel();
        int x = m.input("x", 2);
        int c = m.floats("c", new float[] {1, 2, 3}, 2); // 3 values for 2 elements
        int y = m.output(m.tensor("y", TensorType.FLOAT32, 2));
        m.op(TfliteOps.ADD, new int[] {x, c}, new int[] {y});
        InferoException e = fails(m.build());
        assertTrue(e.getMessage().contains("tensor 'c'") && e.getMessage().contains("needs 8 bytes"), e.getMessage());

        TfliteTestModel n = new TfliteTestModel();
        int nx = n.input("x", 2);
        int ny = n.output(n.tensor("y", TensorType.FLOAT32, 2));
        n.op(TfliteOps.ADD, new int[] {nx, 17}, new int[] {ny});
        e = fails(n.build());
        assertTrue(e.getMessage().contains("operator #0 input 1 refers to tensor 17"), e.getMessage());

        TfliteTestModel r = new TfliteTestModel();
        int rx = r.input("x", 2);
        int ry = r.output(r.tensor("y", TensorType.FLOAT32, 2));
        r.op(TfliteOps.ADD, new int[] {rx, r.tensor("never_written", TensorType.FLOAT32, 2)}, new int[] {ry});
        e = fails(r.build());
        assertTrue(e.getMessage().contains("'never_written', which no earlier operator produces"), e.getMessage());
    }

    @Test
    void bufferIndexOutOfRange() {
        TfliteTestModel m = new TfliteTestModel();
        int x = m.input("x", 2);
        int c = m.tensorWithBuffer("c", TensorType.FLOAT32, 99, 2);
        int y = m.output(m.tensor("y", TensorType.FLOAT32, 2));
        m.op(TfliteOps.ADD, new int[] {x, c}, new int[] {y});
        InferoException e = fails(m.build());
        assertTrue(e.getMessage().contains("bad.tflite: tensor 'c' refers to buffer 99, but the model has 1 buffers"),
                e.getMessage());
    }

    @Test
    void everyUnsupportedOperatorIsListedAtOnce() {
        TfliteTestModel m = new TfliteTestModel();
        int x = m.input("x", 4);
        int a = m.tensor("lstm_out", TensorType.FLOAT32, 4);
        int b = m.tensor("ok", TensorType.FLOAT32, 4);
        int c = m.tensor("gelu_out", TensorType.FLOAT32, 4);
        int d = m.output(m.tensor("lstm_again", TensorType.FLOAT32, 4));
        m.op(16, new int[] {x}, new int[] {a}); // LSTM
        m.op(TfliteOps.RELU, new int[] {a}, new int[] {b});
        m.op(150, new int[] {b}, new int[] {c}); // GELU: only in builtin_code
        m.op(16, new int[] {c}, new int[] {d});
        UnsupportedModelException e = assertThrows(UnsupportedModelException.class, m::graph);
        String msg = e.getMessage();
        assertTrue(msg.contains("test.tflite"), msg);
        assertTrue(msg.contains("unsupported operators LSTM, GELU"), msg);
        assertTrue(msg.contains("LSTM (operator #0 → 'lstm_out', operator #3 → 'lstm_again')"), msg);
        assertTrue(msg.contains("GELU (operator #2 → 'gelu_out')"), msg);
        assertFalse(msg.contains("RELU"), msg);
    }

    @Test
    void frontendRecognisesTfliteByContent() throws IOException {
        Path renamed = dir.resolve("model.bin");
        Files.write(renamed, bytes(small().build()));
        TfliteFrontend frontend = new TfliteFrontend();
        assertTrue(frontend.accepts(ModelSource.of(renamed)));
        assertEquals(2, frontend.read(ModelSource.of(renamed)).results().get(0).output(0).shape().dim(3));
        Path other = dir.resolve("model.onnx");
        Files.write(other, new byte[] {8, 7, 18, 4, 't', 'e', 's', 't'});
        assertFalse(frontend.accepts(ModelSource.of(other)));
        Path missing = dir.resolve("missing.tflite");
        InferoException e = assertThrows(InferoException.class, () -> TfliteImporter.read(missing));
        assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
    }

    @Test
    void generatedClassesMatchTheRuntimeVersion() {
        // flatc 2.0.8's classes call Constants.FLATBUFFERS_2_0_8(): a different flatbuffers-java fails here.
        dev.infero.tflite.schema.Model.ValidateVersion();
        assertTrue(TfliteModelFile.hasIdentifier(small().build()));
    }

    static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }
}
