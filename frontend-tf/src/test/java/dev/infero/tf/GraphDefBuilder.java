package dev.infero.tf;

import com.google.protobuf.ByteString;
import dev.infero.core.graph.Graph;
import dev.infero.core.tensor.Tensor;
import dev.infero.tf.proto.Tf.AttrValue;
import dev.infero.tf.proto.Tf.DataType;
import dev.infero.tf.proto.Tf.GraphDef;
import dev.infero.tf.proto.Tf.NodeDef;
import dev.infero.tf.proto.Tf.TensorProto;
import dev.infero.tf.proto.Tf.TensorShapeProto;
import java.util.List;

/** Writes small TensorFlow GraphDefs for tests, node by node, as TensorFlow's Python API would. */
final class GraphDefBuilder {
    private final GraphDef.Builder g = GraphDef.newBuilder();

    static TensorShapeProto shape(long... dims) {
        TensorShapeProto.Builder s = TensorShapeProto.newBuilder();
        for (long d : dims) {
            s.addDim(TensorShapeProto.Dim.newBuilder().setSize(d));
        }
        return s.build();
    }

    static AttrValue i(long v) {
        return AttrValue.newBuilder().setI(v).build();
    }

    static AttrValue f(float v) {
        return AttrValue.newBuilder().setF(v).build();
    }

    static AttrValue b(boolean v) {
        return AttrValue.newBuilder().setB(v).build();
    }

    static AttrValue s(String v) {
        return AttrValue.newBuilder().setS(ByteString.copyFromUtf8(v)).build();
    }

    static AttrValue type(DataType t) {
        return AttrValue.newBuilder().setType(t).build();
    }

    static AttrValue ints(long... v) {
        AttrValue.ListValue.Builder l = AttrValue.ListValue.newBuilder();
        for (long x : v) {
            l.addI(x);
        }
        return AttrValue.newBuilder().setList(l).build();
    }

    /** A node; {@code attrs} alternate names and values. */
    GraphDefBuilder node(String name, String op, List<String> inputs, Object... attrs) {
        NodeDef.Builder n = NodeDef.newBuilder().setName(name).setOp(op).addAllInput(inputs);
        for (int k = 0; k < attrs.length; k += 2) {
            n.putAttr((String) attrs[k], (AttrValue) attrs[k + 1]);
        }
        g.addNode(n);
        return this;
    }

    /** A float constant from {@code tensor_content}. */
    GraphDefBuilder constant(String name, float[] values, int... shape) {
        return constant(name, TfTensors.toProto(Tensor.of(values, shape), DataType.DT_FLOAT));
    }

    /** An int32 constant from {@code int_val}. */
    GraphDefBuilder ints(String name, long... values) {
        TensorProto.Builder t = TensorProto.newBuilder().setDtype(DataType.DT_INT32).setTensorShape(shape(values.length));
        for (long v : values) {
            t.addIntVal((int) v);
        }
        return constant(name, t.build());
    }

    GraphDefBuilder constant(String name, TensorProto t) {
        return node(name, "Const", List.of(), "value", AttrValue.newBuilder().setTensor(t).build(), "dtype",
                type(t.getDtype()));
    }

    GraphDefBuilder placeholder(String name, long... dims) {
        return node(name, "Placeholder", List.of(), "dtype", type(DataType.DT_FLOAT), "shape",
                AttrValue.newBuilder().setShape(shape(dims)).build());
    }

    GraphDef build() {
        return g.build();
    }

    Graph importGraph(String... outputs) {
        return TfImporter.importGraph(build(), null, "test.pb", "test", List.of(outputs));
    }

    /** The value of output {@code k} of a graph computable from constants. */
    static Tensor output(Graph graph, int k) {
        var v = graph.results().get(k).input(0);
        if (!v.isKnown()) {
            throw new AssertionError("output " + k + " was not computed at build time: " + v.shape());
        }
        return v.knownValue();
    }

    static float[] floats(Tensor t) {
        return t.convertTo(dev.infero.core.types.ElementType.F32).floats();
    }
}
