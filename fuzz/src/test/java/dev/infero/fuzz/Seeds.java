package dev.infero.fuzz;

import dev.infero.api.Core;
import dev.infero.api.io.Npy;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.ir.IrWriter;
import dev.infero.onnx.OnnxModelBuilder;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Writes the committed seeds: tiny valid inputs for every target, built in code (no shared file is copied), into
 * {@code src/test/resources/dev/infero/fuzz/<Target>Inputs/fuzz/}, where Jazzer replays them in every build and starts
 * fuzzing from them. Rerun after changing a target's input format:
 * {@code java -cp <fuzz test class path> dev.infero.fuzz.Seeds fuzz/src/test/resources/dev/infero/fuzz}.
 */
public final class Seeds {
    private Seeds() {
    }

    public static void main(String[] args) throws IOException {
        Path root = Path.of(args.length > 0 ? args[0] : "fuzz/src/test/resources/dev/infero/fuzz");
        Path work = Files.createTempDirectory("infero-seeds");

        seed(root, "Npy", "f32-2x3", Npy.toBytes(Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3)));
        seed(root, "Npy", "i64-scalar", Npy.toBytes(Tensor.of(new long[] {7})));

        for (String format : new String[] {"png", "bmp", "gif", "jpeg"}) {
            BufferedImage image = new BufferedImage(4, 3, BufferedImage.TYPE_INT_RGB);
            for (int y = 0; y < 3; y++) {
                for (int x = 0; x < 4; x++) {
                    image.setRGB(x, y, (x * 60) << 16 | (y * 80) << 8 | 128);
                }
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ImageIO.write(image, format, out);
            seed(root, "Image", "4x3." + format, out.toByteArray());
        }

        Path onnx = work.resolve("conv.onnx");
        OnnxModelBuilder b = new OnnxModelBuilder("conv", 13).input("x", ElementType.F32, 1, 2, 4, 4);
        b.initializer("w", Tensor.of(new float[] {1, 0, -1, 2, 0.5f, 0.25f, 0, 1}, 2, 2, 1, 2));
        b.initializer("shape", Tensor.of(new long[] {1, -1}, 2));
        b.node("Conv", "conv").inputs("x", "w").outputs("c").attr("kernel_shape", 1, 2);
        b.node("Relu", "relu").inputs("c").outputs("r");
        b.node("Reshape", "flat").inputs("r", "shape").outputs("y");
        b.output("y", ElementType.F32, 1, 24);
        b.write(onnx);
        seed(root, "Onnx", "conv-relu-reshape.onnx", Files.readAllBytes(onnx));

        try (Core core = new Core()) {
            IrWriter.write(core.readModel(onnx).graph(), work, "conv");
        }
        seed(root, "Ir", "conv.xml+bin",
                pair(Files.readAllBytes(work.resolve("conv.xml")), Files.readAllBytes(work.resolve("conv.bin"))));

        seed(root, "Caffe", "conv.prototxt+caffemodel", pair(text("""
                name: "tiny"
                input: "data"
                input_shape { dim: 1 dim: 1 dim: 4 dim: 4 }
                layer { name: "conv" type: "Convolution" bottom: "data" top: "conv"
                  convolution_param { num_output: 2 kernel_size: 3 pad: 1 bias_term: false } }
                layer { name: "relu" type: "ReLU" bottom: "conv" top: "conv" }
                layer { name: "pool" type: "Pooling" bottom: "conv" top: "pool"
                  pooling_param { pool: MAX kernel_size: 2 stride: 2 } }
                """), caffeWeights()));
        seed(root, "TfText", "relu.pbtxt", text("""
                node { name: "x" op: "Placeholder"
                  attr { key: "dtype" value { type: DT_FLOAT } }
                  attr { key: "shape" value { shape { dim { size: 1 } dim { size: 4 } } } } }
                node { name: "c" op: "Const"
                  attr { key: "dtype" value { type: DT_FLOAT } }
                  attr { key: "value" value { tensor { dtype: DT_FLOAT tensor_shape { dim { size: 4 } }
                    float_val: 1 float_val: -2 float_val: 3 float_val: 0.5 } } } }
                node { name: "add" op: "AddV2" input: "x" input: "c" attr { key: "T" value { type: DT_FLOAT } } }
                node { name: "y" op: "Relu" input: "add" attr { key: "T" value { type: DT_FLOAT } } }
                """));
        seed(root, "Mxnet", "relu-symbol+params", pair(text("""
                {"nodes": [
                  {"op": "null", "name": "data", "inputs": []},
                  {"op": "null", "name": "bias"},
                  {"op": "broadcast_add", "name": "add0", "inputs": [[0, 0, 0], [1, 0, 0]]},
                  {"op": "Activation", "name": "relu0", "attrs": {"act_type": "relu"}, "inputs": [[2, 0, 0]]}],
                 "arg_nodes": [0, 1], "heads": [[3, 0, 0]],
                 "attrs": {"mxnet_version": ["int", 10500]}}
                """), mxnetParams()));
        seed(root, "PotConfig", "default-quantization.json", text("""
                {"model": {"model_name": "m", "model": "m.xml", "weights": "m.bin"},
                 "engine": {"type": "simplified", "data_source": "images"},
                 "compression": {"target_device": "CPU", "algorithms": [{"name": "DefaultQuantization",
                   "params": {"preset": "mixed", "stat_subset_size": 10, "ignored": {"scope": ["conv"]}}}]}}
                """));
        seed(root, "AccuracyConfig", "classification.yml", text("""
                models:
                  - name: tiny
                    launchers:
                      - framework: onnx
                        model: m.onnx
                        adapter: classification
                    datasets:
                      - name: images
                        data_source: images
                        annotation_conversion: {converter: imagenet, annotation_file: labels.txt}
                        preprocessing:
                          - {type: resize, size: 4}
                        metrics:
                          - {type: accuracy, top_k: 1, reference: 0.5}
                """));
        String json = """
                {"id": "1", "inputs": [{"name": "x", "shape": [2, 2], "datatype": "FP32", "data": [[1, 2], [3, 4]]}],
                 "outputs": [{"name": "y", "parameters": {"binary_data": true}}]}""";
        seed(root, "RestCodec", "json", concat(new byte[] {0}, text(json)));
        byte[] binaryJson = text("""
                {"inputs": [{"name": "x", "shape": [2], "datatype": "INT32",
                 "parameters": {"binary_data_size": 8}}]}""");
        seed(root, "RestCodec", "binary", concat(new byte[] {(byte) (8 << 1 | 1)}, binaryJson,
                ByteBuffer.allocate(8).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(5).putInt(-6).array()));
    }

    /** A NetParameter holding the "conv" layer's [2,1,3,3] weights, protobuf-encoded by hand. */
    private static byte[] caffeWeights() {
        ByteBuffer floats = ByteBuffer.allocate(18 * 4).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 18; i++) {
            floats.putFloat((i % 5 - 2) * 0.25f);
        }
        byte[] shape = field(1, new byte[] {2, 1, 3, 3});                 // BlobShape.dim, packed
        byte[] blob = concat(field(7, shape), field(5, floats.array()));   // BlobProto.shape, BlobProto.data
        byte[] layer = concat(field(1, text("conv")), field(2, text("Convolution")), field(7, blob));
        return field(100, layer);                                          // NetParameter.layer
    }

    /** A length-delimited protobuf field (tag and lengths below 2^14). */
    private static byte[] field(int number, byte[] value) {
        return concat(varint(number << 3 | 2), varint(value.length), value);
    }

    private static byte[] varint(int v) {
        return v < 0x80 ? new byte[] {(byte) v} : new byte[] {(byte) (v & 0x7f | 0x80), (byte) (v >>> 7)};
    }

    /** An MXNet NDArray list with one legacy float32 array of 4 values named {@code arg:bias}. */
    private static byte[] mxnetParams() {
        byte[] name = text("arg:bias");
        ByteBuffer b = ByteBuffer.allocate(24 + 4 * 5 + 16 + 8 + 8 + name.length).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.putLong(0x112).putLong(0).putLong(1);                 // magic, reserved, array count
        b.putInt(1).putInt(4).putInt(1).putInt(0).putInt(0);    // ndim 1, dim 4, cpu context, device 0, float32
        b.putFloat(1).putFloat(-1).putFloat(0.5f).putFloat(2);
        b.putLong(1).putLong(name.length).put(name);            // name count, the name
        return Arrays.copyOf(b.array(), b.position());
    }

    private static byte[] text(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] pair(byte[] first, byte[] second) {
        return concat(ByteBuffer.allocate(4).putInt(first.length).array(), first, second);
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    private static void seed(Path root, String target, String name, byte[] content) throws IOException {
        if (content.length > 20_000) {
            throw new IllegalStateException(target + " seed " + name + " is " + content.length + " bytes: keep seeds tiny");
        }
        Path dir = root.resolve(target + "FuzzTestInputs").resolve("fuzz");
        Files.createDirectories(dir);
        Files.write(dir.resolve("seed-" + name), content);
    }
}
