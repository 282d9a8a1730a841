package dev.infero.mxnet;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.infero.core.tensor.Tensor;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Writes MXNet symbols and params as MXNet does, for tests. */
final class MxnetTestFiles {
    private MxnetTestFiles() {
    }

    /** A symbol under construction: variables and ops in order, inputs by name. */
    static final class Sym {
        private final ObjectMapper json = new ObjectMapper();
        private final ArrayNode nodes = json.createArrayNode();
        private final Map<String, Integer> ids = new LinkedHashMap<>();
        private final List<String> heads = new ArrayList<>();

        Sym var(String name, String... attrs) {
            return node("null", name, attrs);
        }

        Sym op(String op, String name, String[] inputs, String... attrs) {
            node(op, name, attrs);
            ArrayNode ins = (ArrayNode) nodes.get(nodes.size() - 1).get("inputs");
            for (String in : inputs) {
                String[] parts = in.split(":");
                ins.add(json.createArrayNode().add(ids.get(parts[0])).add(parts.length > 1 ? Integer.parseInt(parts[1]) : 0).add(0));
            }
            return this;
        }

        private Sym node(String op, String name, String... attrs) {
            ObjectNode n = json.createObjectNode().put("op", op).put("name", name);
            if (attrs.length > 0) {
                ObjectNode a = n.putObject("attrs");
                for (int i = 0; i < attrs.length; i += 2) {
                    a.put(attrs[i], attrs[i + 1]);
                }
            }
            n.putArray("inputs");
            ids.put(name, nodes.size());
            nodes.add(n);
            return this;
        }

        /** Sets variable {@code name}'s {@code __shape__}, as MXNet records a shape given to {@code mx.sym.var}. */
        Sym shape(String name, int... dims) {
            ObjectNode n = (ObjectNode) nodes.get(ids.get(name));
            ObjectNode a = n.has("attrs") ? (ObjectNode) n.get("attrs") : n.putObject("attrs");
            a.put("__shape__", java.util.Arrays.toString(dims).replace('[', '(').replace(']', ')'));
            return this;
        }

        Sym head(String name) {
            heads.add(name);
            return this;
        }

        MxnetSymbol build() {
            return MxnetSymbol.parse(tree(), "test-symbol.json");
        }

        ObjectNode tree() {
            ObjectNode root = json.createObjectNode();
            root.set("nodes", nodes);
            ArrayNode h = root.putArray("heads");
            for (String name : heads) {
                h.add(json.createArrayNode().add(ids.get(name)).add(0).add(0));
            }
            root.putArray("arg_nodes");
            return root;
        }

        byte[] bytes() {
            try {
                return json.writeValueAsBytes(tree());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }

    static byte[] u64(long v) {
        return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array();
    }

    static byte[] i32(int v) {
        return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array();
    }

    /** One NDArray in the V2 form (float32 on cpu), or V1 / legacy with {@code form} 1 / 0, or float16 with 16. */
    static byte[] array(Tensor t, int form) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int[] shape = t.shape();
        if (form == 0) {
            out.writeBytes(i32(shape.length));
            for (int d : shape) {
                out.writeBytes(i32(d));
            }
        } else {
            out.writeBytes(i32(form == 1 ? MxnetParams.V1_MAGIC : MxnetParams.V2_MAGIC));
            if (form != 1) {
                out.writeBytes(i32(0));
            }
            out.writeBytes(i32(shape.length));
            for (int d : shape) {
                out.writeBytes(u64(d));
            }
        }
        out.writeBytes(i32(1));
        out.writeBytes(i32(0));
        out.writeBytes(i32(form == 16 ? 2 : 0));
        float[] f = t.toFloatArray();
        ByteBuffer b = ByteBuffer.allocate(f.length * (form == 16 ? 2 : 4)).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : f) {
            if (form == 16) {
                b.putShort(Float.floatToFloat16(v));
            } else {
                b.putFloat(v);
            }
        }
        out.writeBytes(b.array());
        return out.toByteArray();
    }

    /** A params file: name → tensor, written in {@code form} (2 = V2). */
    static byte[] params(Map<String, Tensor> tensors, int form) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(u64(MxnetParams.LIST_MAGIC));
        out.writeBytes(u64(0));
        out.writeBytes(u64(tensors.size()));
        tensors.values().forEach(t -> out.writeBytes(array(t, form)));
        out.writeBytes(u64(tensors.size()));
        for (String name : tensors.keySet()) {
            byte[] b = name.getBytes(StandardCharsets.UTF_8);
            out.writeBytes(u64(b.length));
            out.writeBytes(b);
        }
        return out.toByteArray();
    }
}
