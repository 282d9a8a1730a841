package dev.infero.serve;

import dev.infero.api.CompiledModel;
import dev.infero.api.Core;
import dev.infero.api.InferRequest;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.onnx.OnnxModelBuilder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** Small models built in the tests (no shared data needed) and local inference to compare the server with. */
final class TestModels {
    private TestModels() {
    }

    /**
     * A small CNN: x f32[1,3,8,8] → Conv 3×3 (4 channels, pad 1) + bias → Relu → y f32[1,4,8,8], and a second output
     * s = ReduceSum(y, axes [2,3]) f32[1,4]. {@code seed} picks the weights, so versions differ.
     */
    static Path conv(Path file, long seed) {
        Random r = new Random(seed);
        float[] w = new float[4 * 3 * 3 * 3];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) r.nextGaussian() * 0.3f;
        }
        float[] b = {0.1f, -0.2f, 0.05f, 0f};
        OnnxModelBuilder m = new OnnxModelBuilder("conv", 17)
                .input("x", ElementType.F32, 1, 3, 8, 8)
                .initializer("w", Tensor.of(w, 4, 3, 3, 3))
                .initializer("b", Tensor.of(b, 4))
                .initializer("axes", Tensor.vector(2, 3))
                .output("y", ElementType.F32, 1, 4, 8, 8)
                .output("s", ElementType.F32, 1, 4);
        m.node("Conv", "conv").inputs("x", "w", "b").outputs("c").attr("pads", 1L, 1L, 1L, 1L)
                .attr("kernel_shape", 3L, 3L);
        m.node("Relu", "relu").inputs("c").outputs("y");
        m.node("ReduceSum", "sum").inputs("y", "axes").outputs("s").attr("keepdims", 0L);
        m.write(file);
        return file;
    }

    /** An integer model: a i64[1,4] → b = a * 3 + 1 (i64), for datatype conversion. */
    static Path integer(Path file) {
        OnnxModelBuilder m = new OnnxModelBuilder("integer", 17)
                .input("a", ElementType.I64, 1, 4)
                .initializer("three", Tensor.of(new long[] {3}, 1))
                .initializer("one", Tensor.of(new long[] {1}, 1))
                .output("b", ElementType.I64, 1, 4);
        m.node("Mul", "mul").inputs("a", "three").outputs("t");
        m.node("Add", "add").inputs("t", "one").outputs("b");
        m.write(file);
        return file;
    }

    /** A model with a dynamic first dimension: x f32[-1,4] → y = Relu(x). */
    static Path dynamic(Path file) {
        OnnxModelBuilder m = new OnnxModelBuilder("dynamic", 17)
                .input("x", ElementType.F32, -1, 4)
                .output("y", ElementType.F32, -1, 4);
        m.node("Relu", "relu").inputs("x").outputs("y");
        m.write(file);
        return file;
    }

    /**
     * A deliberately slow model without a batch dimension: {@code layers} chained 256×256 MatMuls with Tanh,
     * x f32[64,256] → y f32[64,256] (8.4 MFLOP per layer).
     */
    static Path slow(Path file, int layers) {
        Random r = new Random(7);
        OnnxModelBuilder m = new OnnxModelBuilder("slow", 17).input("x", ElementType.F32, 64, 256)
                .output("y", ElementType.F32, 64, 256);
        String prev = "x";
        for (int l = 0; l < layers; l++) {
            float[] w = new float[256 * 256];
            for (int i = 0; i < w.length; i++) {
                w[i] = (float) r.nextGaussian() / 16;
            }
            m.initializer("w" + l, Tensor.of(w, 256, 256));
            String mm = "mm" + l;
            String out = l == layers - 1 ? "y" : "t" + l;
            m.node("MatMul", mm).inputs(prev, "w" + l).outputs(mm + "o");
            m.node("Tanh", "tanh" + l).inputs(mm + "o").outputs(out);
            prev = out;
        }
        m.write(file);
        return file;
    }

    /** A random input tensor. */
    static Tensor randomF32(long seed, int... shape) {
        Random r = new Random(seed);
        Tensor t = Tensor.allocate(ElementType.F32, shape);
        for (int i = 0; i < t.size(); i++) {
            t.floats()[i] = (float) (r.nextGaussian() * 2);
        }
        return t;
    }

    /** Outputs of a local inference (the same Core API the server uses, default device settings). */
    static List<Tensor> local(Path model, Map<String, Tensor> inputs) {
        return local(model, inputs, Map.of());
    }

    /** Output 0 of local inferences of one input each, on one compiled model. */
    static List<float[]> localFirstOutputs(Path model, String input, List<Tensor> xs, Map<String, String> config) {
        try (Core core = new Core();
             CompiledModel compiled = core.compileModel(core.readModel(model), "CPU", config)) {
            InferRequest request = compiled.createInferRequest();
            List<float[]> out = new ArrayList<>();
            for (Tensor x : xs) {
                request.setInput(input, x);
                request.infer();
                out.add(request.getOutput(0).copy().floats());
            }
            return out;
        }
    }

    /**
     * Outputs of a local inference with device properties {@code config}: the server's outputs equal these bit for
     * bit when it runs the model with the same properties (threads change how sums are split).
     */
    static List<Tensor> local(Path model, Map<String, Tensor> inputs, Map<String, String> config) {
        try (Core core = new Core();
             CompiledModel compiled = core.compileModel(core.readModel(model), "CPU", config)) {
            InferRequest request = compiled.createInferRequest();
            inputs.forEach(request::setInput);
            request.infer();
            List<Tensor> out = new ArrayList<>();
            for (int i = 0; i < compiled.outputs().size(); i++) {
                out.add(request.getOutput(i).copy());
            }
            return out;
        }
    }
}
