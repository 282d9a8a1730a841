package dev.infero.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.infero.core.InferoException;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.onnx.OnnxModelBuilder;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A pooling window larger than the padded input (tiny inputs of dynamic models) gives what ONNX Runtime gives: 0
 * windows, or 1 with ceil rounding when the window is less than a stride too large; both refuse a window two strides
 * too large, and a convolution window larger than the padded input. ORT runs through its own Java API here, since
 * Infero's ORT device imports the model with Infero's frontend first.
 */
class OversizedWindowOrtTest {
    @TempDir
    Path dir;

    /** Output shape and values, or null shape when the runtime refused the model. */
    private record Outcome(long[] shape, float[] values, String error) {
    }

    private Outcome ort(Path file, Tensor x) {
        long[] dims = Arrays.stream(x.shape()).asLongStream().toArray();
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession session = env.createSession(file.toString(), new OrtSession.SessionOptions());
             OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(x.floats()), dims);
             OrtSession.Result res = session.run(Map.of("x", t))) {
            OnnxTensor out = (OnnxTensor) res.get(0);
            float[] v = new float[(int) out.getInfo().getNumElements()];
            out.getFloatBuffer().get(v);
            return new Outcome(out.getInfo().getShape(), v, null);
        } catch (OrtException e) {
            return new Outcome(null, null, e.getMessage());
        }
    }

    private static Outcome infero(Path file, Tensor x) {
        try (Core core = new Core(); CompiledModel m = core.compileModel(file, "CPU")) {
            InferRequest r = m.createInferRequest();
            r.setInput(0, x);
            r.infer();
            Tensor y = r.getOutput(0);
            return new Outcome(Arrays.stream(y.shape()).asLongStream().toArray(), y.toFloatArray(), null);
        } catch (InferoException e) {
            return new Outcome(null, null, e.getMessage());
        }
    }

    private void check(String name, int size, Consumer<OnnxModelBuilder> body) {
        OnnxModelBuilder b = new OnnxModelBuilder(name, 17).input("x", ElementType.F32, 1, 1, size, size)
                .output("y", ElementType.F32);
        body.accept(b);
        Path file = dir.resolve(name + ".onnx");
        b.write(file);
        Tensor x = Tensor.allocate(ElementType.F32, 1, 1, size, size);
        for (int i = 0; i < x.size(); i++) {
            x.floats()[i] = i + 1;
        }
        Outcome theirs = ort(file, x);
        Outcome ours = infero(file, x);
        if (theirs.shape() == null) {
            assertTrue(ours.shape() == null, name + ": ONNX Runtime refuses it (" + theirs.error() + "), Infero gave "
                    + Arrays.toString(ours.shape()));
            assertTrue(ours.error().contains("larger than the padded input"), ours.error());
            return;
        }
        assertTrue(ours.shape() != null, name + ": ONNX Runtime runs it, Infero: " + ours.error());
        assertArrayEquals(theirs.shape(), ours.shape(), name + " shape");
        assertArrayEquals(theirs.values(), ours.values(), 1e-6f, name + " values");
    }

    private static Consumer<OnnxModelBuilder> pool(String op, long kernel, long stride, long pad, boolean ceil) {
        return b -> b.node(op, "p").inputs("x").outputs("y").attr("kernel_shape", kernel, kernel)
                .attr("strides", stride, stride).attr("pads", pad, pad, pad, pad).attr("ceil_mode", ceil ? 1L : 0L);
    }

    @Test
    void poolingWindowsLargerThanThePaddedInputGiveWhatOnnxRuntimeGives() {
        for (String op : new String[] {"MaxPool", "AveragePool"}) {
            for (boolean ceil : new boolean[] {false, true}) {
                String tag = op + (ceil ? "_ceil" : "_floor");
                check(tag + "_k3_in2", 2, pool(op, 3, 1, 0, ceil));
                check(tag + "_k3_in2_s2", 2, pool(op, 3, 2, 0, ceil));
                check(tag + "_k5_in2_s2", 2, pool(op, 5, 2, 0, ceil));
                check(tag + "_k5_in2_pad1", 2, pool(op, 5, 1, 1, ceil));
                check(tag + "_k4_in2", 2, pool(op, 4, 1, 0, ceil));
                check(tag + "_k7_in2_s2", 2, pool(op, 7, 2, 0, ceil));
            }
        }
        // Not compared: AveragePool with count_include_pad=1 over such a window. ONNX Runtime (MLAS) divides by the
        // whole kernel size there; Infero, as in every ceil-mode window, by the taps inside the padded input.
    }

    @Test
    void convolutionWindowsLargerThanThePaddedInputAreRefusedByBoth() {
        Tensor w = Tensor.allocate(ElementType.F32, 1, 1, 3, 3);
        Arrays.fill(w.floats(), 1f);
        check("conv_k3_in2", 2, b -> {
            b.initializer("w", w);
            b.node("Conv", "c").inputs("x", "w").outputs("y");
        });
        check("conv_k3_in1_s2", 1, b -> {
            b.initializer("w", w);
            b.node("Conv", "c").inputs("x", "w").outputs("y").attr("strides", 2L, 2L);
        });
    }

    @Test
    void aZeroWindowPoolingStillRunsOnItsPlan() {
        check("max_zero", 2, pool("MaxPool", 3, 1, 0, false));
        Outcome ours = infero(dir.resolve("max_zero.onnx"), Tensor.allocate(ElementType.F32, 1, 1, 2, 2));
        assertEquals(0, ours.values().length);
    }
}
