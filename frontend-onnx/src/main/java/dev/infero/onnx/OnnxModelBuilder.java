package dev.infero.onnx;

import com.google.protobuf.ByteString;
import dev.infero.core.InferoException;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.onnx.proto.Onnx.AttributeProto;
import dev.infero.onnx.proto.Onnx.GraphProto;
import dev.infero.onnx.proto.Onnx.ModelProto;
import dev.infero.onnx.proto.Onnx.NodeProto;
import dev.infero.onnx.proto.Onnx.OperatorSetIdProto;
import dev.infero.onnx.proto.Onnx.TensorShapeProto;
import dev.infero.onnx.proto.Onnx.TypeProto;
import dev.infero.onnx.proto.Onnx.ValueInfoProto;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.stream.IntStream;

/**
 * Builds ONNX models in code and writes them: Infero's ONNX writer. Used by {@code demo} and by tests that need
 * small models of their own.
 *
 * <pre>{@code
 * var b = new OnnxModelBuilder("tiny", 17);
 * b.input("x", ElementType.F32, 1, 3, 8, 8);
 * b.initializer("w", weights);
 * b.node("Conv", "conv1").inputs("x", "w").outputs("y").attr("pads", 1, 1, 1, 1);
 * b.output("y", ElementType.F32, 1, 4, 8, 8);
 * b.write(path);
 * }</pre>
 */
public final class OnnxModelBuilder {
    private final GraphProto.Builder graph = GraphProto.newBuilder();
    private final int opset;
    /** Operator domains other than the default one that nodes use, with the opset version imported. */
    private final java.util.Map<String, Integer> domains = new java.util.TreeMap<>();

    public OnnxModelBuilder(String name, int opset) {
        this.graph.setName(name);
        this.opset = opset;
    }

    /** A graph input; a dimension of -1 is written as a symbolic dimension. */
    public OnnxModelBuilder input(String name, ElementType type, long... dims) {
        graph.addInput(valueInfo(name, type, dims));
        return this;
    }

    /** A graph output; {@code dims} may be empty when the shape is left to inference. */
    public OnnxModelBuilder output(String name, ElementType type, long... dims) {
        graph.addOutput(valueInfo(name, type, dims));
        return this;
    }

    public OnnxModelBuilder initializer(String name, Tensor value) {
        graph.addInitializer(TensorProtos.toProto(name, value));
        return this;
    }

    /** Starts a node; finish it with the returned builder's inputs/outputs/attributes. */
    public NodeBuilder node(String opType, String name) {
        return new NodeBuilder(opType, name);
    }

    /**
     * The classifier tail of the small CNNs tests build: {@code GlobalAveragePool} of {@code features} (node
     * {@code gap}, tensor {@code g}), {@code Flatten} ({@code flat}, {@code f}) and a fully connected layer
     * ({@code Gemm} {@code fc} with {@code transB}: {@code weights} is [classes, channels]) writing {@code scores}.
     */
    public OnnxModelBuilder classifierHead(String features, String weights, String bias, String scores) {
        node("GlobalAveragePool", "gap").inputs(features).outputs("g");
        node("Flatten", "flat").inputs("g").outputs("f");
        node("Gemm", "fc").inputs("f", weights, bias).outputs(scores).attr("transB", 1L);
        return this;
    }

    public ModelProto build() {
        return ModelProto.newBuilder()
                .setIrVersion(8)
                .setProducerName("infero")
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(opset))
                .addAllOpsetImport(domains.entrySet().stream().map(e -> OperatorSetIdProto.newBuilder()
                        .setDomain(e.getKey()).setVersion(e.getValue()).build()).toList())
                .setGraph(graph)
                .build();
    }

    /** Writes the model atomically (temporary file, then move). */
    public void write(Path file) {
        try {
            Path dir = file.toAbsolutePath().getParent();
            Files.createDirectories(dir);
            Path tmp = dir.resolve(file.getFileName() + "." + ProcessHandle.current().pid() + "." + System.nanoTime() + ".tmp");
            Files.write(tmp, build().toByteArray());
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new InferoException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    private static ValueInfoProto valueInfo(String name, ElementType type, long... dims) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        for (int i = 0; i < dims.length; i++) {
            TensorShapeProto.Dimension.Builder d = TensorShapeProto.Dimension.newBuilder();
            if (dims[i] < 0) {
                d.setDimParam(name + "_d" + i);
            } else {
                d.setDimValue(dims[i]);
            }
            shape.addDim(d);
        }
        TypeProto.Tensor.Builder tt = TypeProto.Tensor.newBuilder().setElemType(TensorProtos.onnxType(type));
        if (dims.length > 0) {
            tt.setShape(shape);
        }
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder().setTensorType(tt)).build();
    }

    /** One node under construction; it is added to the graph when created and updated in place. */
    public final class NodeBuilder {
        private final NodeProto.Builder node;
        private final int index;

        private NodeBuilder(String opType, String name) {
            this.index = graph.getNodeCount();
            this.node = NodeProto.newBuilder().setOpType(opType).setName(name);
            graph.addNode(node);
        }

        /** The node's operator domain (e.g. {@code ai.onnx.ml}) and the opset of it the model imports. */
        public NodeBuilder domain(String domain, int version) {
            node.setDomain(domain);
            domains.merge(domain, version, Math::max);
            return update();
        }

        public NodeBuilder inputs(String... names) {
            for (String n : names) {
                node.addInput(n);
            }
            return update();
        }

        public NodeBuilder outputs(String... names) {
            for (String n : names) {
                node.addOutput(n);
            }
            return update();
        }

        /** A single integer; without this overload a lone {@code long} would bind to the float variant. */
        public NodeBuilder attr(String name, long value) {
            return attr(name, new long[] {value});
        }

        public NodeBuilder attr(String name, long... ints) {
            if (ints.length == 1 && !listAttribute(name)) {
                return add(attribute(name, AttributeProto.AttributeType.INT).setI(ints[0]));
            }
            return attrInts(name, ints);
        }

        /** An ints attribute, even with a single element (kernel_shape=[3] for 1-D). */
        public NodeBuilder attrInts(String name, long... ints) {
            return add(attribute(name, AttributeProto.AttributeType.INTS)
                    .addAllInts(Arrays.stream(ints).boxed().toList()));
        }

        public NodeBuilder attr(String name, float value) {
            return add(attribute(name, AttributeProto.AttributeType.FLOAT).setF(value));
        }

        /** A floats attribute, even with a single element. */
        public NodeBuilder attrFloats(String name, float... values) {
            return add(attribute(name, AttributeProto.AttributeType.FLOATS)
                    .addAllFloats(IntStream.range(0, values.length).mapToObj(i -> values[i]).toList()));
        }

        public NodeBuilder attr(String name, String value) {
            return add(attribute(name, AttributeProto.AttributeType.STRING).setS(utf8(value)));
        }

        /** A strings attribute (RNN's activations). */
        public NodeBuilder attrStrings(String name, String... values) {
            return add(attribute(name, AttributeProto.AttributeType.STRINGS)
                    .addAllStrings(Arrays.stream(values).map(NodeBuilder::utf8).toList()));
        }

        public NodeBuilder attr(String name, Tensor value) {
            return add(attribute(name, AttributeProto.AttributeType.TENSOR).setT(TensorProtos.toProto(name, value)));
        }

        private static AttributeProto.Builder attribute(String name, AttributeProto.AttributeType type) {
            return AttributeProto.newBuilder().setName(name).setType(type);
        }

        private static ByteString utf8(String text) {
            return ByteString.copyFrom(text, StandardCharsets.UTF_8);
        }

        private NodeBuilder add(AttributeProto.Builder attribute) {
            node.addAttribute(attribute);
            return update();
        }

        private NodeBuilder update() {
            graph.setNode(index, node);
            return this;
        }

        /** Attributes ONNX defines as lists even when one value is given. */
        private static boolean listAttribute(String name) {
            return switch (name) {
                case "pads", "strides", "kernel_shape", "dilations", "axes", "perm", "output_padding",
                     "output_shape", "split", "shape", "starts", "ends", "sizes", "scales" -> true;
                default -> false;
            };
        }
    }
}
