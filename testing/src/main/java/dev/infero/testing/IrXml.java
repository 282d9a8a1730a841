package dev.infero.testing;

import dev.infero.core.tensor.Tensor;
import dev.infero.core.tensor.TensorBytes;
import dev.infero.core.types.ElementType;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * An OpenVINO IR pair (.xml + .bin) written layer by layer, for tests of the IR reader on files as other tools write
 * them (old Model Optimizer spellings, hand-picked port numbers, attributes the writer would not produce). Layers get
 * ids 0, 1, ... in the order they are added; a constant's value is appended to the .bin and its offset and size are
 * written for it; everything else (the layer's {@code <data>} attributes, port ids, precisions, edges) is written as
 * given:
 *
 * <pre>{@code
 * IrXml ir = new IrXml("m", 10);
 * int x = ir.parameter("x", ElementType.F32, 1, 16);
 * int w = ir.constant("w", Tensor.of(weights, 1, 16), 1);
 * int y = ir.layer("y", "Multiply", "opset1").data("auto_broadcast=\"numpy\"").in(1, 16).in(1, 16)
 *         .out(2, "FP32", 1, 16).id();
 * ir.edge(x, 0, y, 0).edge(w, 1, y, 1);
 * ir.edge(y, 2, ir.result("out", 1, 16), 0);
 * Path xml = ir.write(dir, "m");
 * }</pre>
 */
public final class IrXml {
    private final String name;
    private final int version;
    private final List<Layer> layers = new ArrayList<>();
    private final List<String> edges = new ArrayList<>();
    private final ByteArrayOutputStream bin = new ByteArrayOutputStream();
    private String metaData;

    public IrXml(String name, int version) {
        this.name = name;
        this.version = version;
    }

    /** A layer of {@code type} from {@code opset}; fill in its data and ports, {@link Layer#id()} gives its id. */
    public Layer layer(String layerName, String type, String opset) {
        Layer l = new Layer(layers.size(), layerName, type, opset);
        layers.add(l);
        return l;
    }

    /** A Parameter of {@code type} and shape {@code dims}, output port 0; returns its id. */
    public int parameter(String layerName, ElementType type, long... dims) {
        return layer(layerName, "Parameter", "opset1").data(typeAndShape(type, dims)).out(0, type.precision(), dims)
                .id();
    }

    /** A Const holding {@code value} (appended to the .bin), its output port numbered {@code port}; returns its id. */
    public int constant(String layerName, Tensor value, int port) {
        byte[] bytes = TensorBytes.toLittleEndian(value);
        long[] dims = Arrays.stream(value.shape()).asLongStream().toArray();
        String data = typeAndShape(value.type(), dims) + " offset=\"" + bin.size() + "\" size=\"" + bytes.length + "\"";
        bin.writeBytes(bytes);
        return layer(layerName, "Const", "opset1").data(data).out(port, value.type().precision(), dims).id();
    }

    /** A Result reading a tensor of shape {@code dims} on input port 0; returns its id. */
    public int result(String layerName, long... dims) {
        return layer(layerName, "Result", "opset1").in(dims).id();
    }

    /** An edge from output port {@code fromPort} of layer {@code from} to input port {@code toPort} of {@code to}. */
    public IrXml edge(int from, int fromPort, int to, int toPort) {
        edges.add("<edge from-layer=\"" + from + "\" from-port=\"" + fromPort + "\" to-layer=\"" + to
                + "\" to-port=\"" + toPort + "\"/>");
        return this;
    }

    /** The {@code <meta_data>} element's content, written as given. */
    public IrXml metaData(String xml) {
        this.metaData = xml;
        return this;
    }

    /** The .bin so far: the constants' values one after the other. */
    public byte[] bin() {
        return bin.toByteArray();
    }

    /** The .xml text. */
    public String xml() {
        StringBuilder s = new StringBuilder("<?xml version=\"1.0\" ?>\n<net name=\"" + name + "\" version=\""
                + version + "\">\n  <layers>\n");
        layers.forEach(l -> l.appendTo(s));
        s.append("  </layers>\n  <edges>\n");
        edges.forEach(e -> s.append("    ").append(e).append('\n'));
        s.append("  </edges>\n");
        if (metaData != null) {
            s.append("  <meta_data>").append(metaData).append("</meta_data>\n");
        }
        return s.append("</net>\n").toString();
    }

    /** Writes {@code base}.xml and {@code base}.bin into {@code dir}; returns the .xml. */
    public Path write(Path dir, String base) {
        try {
            Files.write(dir.resolve(base + ".bin"), bin());
            return Files.writeString(dir.resolve(base + ".xml"), xml());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String typeAndShape(ElementType type, long... dims) {
        return "element_type=\"" + type.irName() + "\" shape=\""
                + Arrays.stream(dims).mapToObj(Long::toString).collect(Collectors.joining(",")) + "\"";
    }

    private static String port(int id, String attributes, long... dims) {
        StringBuilder s = new StringBuilder("<port id=\"" + id + "\"" + attributes + ">");
        for (long d : dims) {
            s.append("<dim>").append(d).append("</dim>");
        }
        return s.append("</port>").toString();
    }

    /** One layer: its {@code <data>} attributes, runtime info, and input and output ports, written in order. */
    public final class Layer {
        private final int id;
        private final String layerName;
        private final String type;
        private final String opset;
        private String data;
        private String rtInfo;
        private final List<String> inputs = new ArrayList<>();
        private final List<String> outputs = new ArrayList<>();

        private Layer(int id, String layerName, String type, String opset) {
            this.id = id;
            this.layerName = layerName;
            this.type = type;
            this.opset = opset;
        }

        /** The {@code <data>} element's attributes as XML text, e.g. {@code strides="1,1" auto_pad="explicit"}. */
        public Layer data(String attributes) {
            this.data = attributes;
            return this;
        }

        /** The {@code <rt_info>} element's content, written as given. */
        public Layer rtInfo(String xml) {
            this.rtInfo = xml;
            return this;
        }

        /** The next input port (ids 0, 1, ... in order), of shape {@code dims} (none: no dims written). */
        public Layer in(long... dims) {
            inputs.add(port(inputs.size(), "", dims));
            return this;
        }

        /** An output port numbered {@code port} with its precision (FP32, I64, ...) and shape. */
        public Layer out(int port, String precision, long... dims) {
            outputs.add(port(port, " precision=\"" + precision + "\"", dims));
            return this;
        }

        /** An output port with its tensor {@code names} (the {@code names} attribute). */
        public Layer out(int port, String precision, String names, long... dims) {
            outputs.add(port(port, " precision=\"" + precision + "\" names=\"" + names + "\"", dims));
            return this;
        }

        public int id() {
            return id;
        }

        private void appendTo(StringBuilder s) {
            s.append("    <layer id=\"").append(id).append("\" name=\"").append(layerName).append("\" type=\"")
                    .append(type).append("\" version=\"").append(opset).append("\">\n");
            if (data != null) {
                s.append("      <data ").append(data).append("/>\n");
            }
            if (rtInfo != null) {
                s.append("      <rt_info>").append(rtInfo).append("</rt_info>\n");
            }
            if (!inputs.isEmpty()) {
                s.append("      <input>").append(String.join("", inputs)).append("</input>\n");
            }
            if (!outputs.isEmpty()) {
                s.append("      <output>").append(String.join("", outputs)).append("</output>\n");
            }
            s.append("    </layer>\n");
        }
    }
}
