package dev.infero.caffe;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.TextFormat;
import dev.infero.caffe.proto.Caffe.BlobProto;
import dev.infero.caffe.proto.Caffe.BlobShape;
import dev.infero.caffe.proto.Caffe.LayerParameter;
import dev.infero.caffe.proto.Caffe.NetParameter;
import dev.infero.caffe.proto.Caffe.NetStateRule;
import dev.infero.caffe.proto.Caffe.Phase;
import dev.infero.caffe.proto.Caffe.V1LayerParameter;
import dev.infero.core.InferoException;
import dev.infero.core.ResourceLimitException;
import dev.infero.core.InvalidModelException;
import dev.infero.core.UnsupportedModelException;
import dev.infero.core.graph.Graph;
import dev.infero.core.graph.Value;
import dev.infero.core.ops.Parameter;
import dev.infero.core.types.ElementType;
import dev.infero.core.types.PartialShape;
import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a Caffe model into an Infero {@link Graph}. The {@code .prototxt} gives the layers, in order, with their
 * parameters; the {@code .caffemodel} gives each weighted layer's blobs, matched by layer name. Blobs are named by the
 * layers' {@code top}s; a layer whose top is its bottom (ReLU in place) rebinds the name to its output. Inputs come
 * from {@code Input} layers or the net's {@code input}/{@code input_shape}/{@code input_dim}; outputs are the blobs no
 * later layer reads. Layers excluded from the TEST phase are skipped, as Caffe does for inference.
 */
public final class CaffeImporter {
    /** A .caffemodel is one protobuf message: allow it to be as large as a Java array can hold. */
    private static final int SIZE_LIMIT = Integer.MAX_VALUE;

    private CaffeImporter() {
    }

    /** Reads {@code prototxt} with the weights of {@code caffemodel} (which may be {@code null} for weightless nets). */
    public static Graph read(Path prototxt, Path caffemodel) {
        NetParameter definition = parseText(prototxt);
        NetParameter weights = caffemodel == null ? null : parseBinary(caffemodel);
        String name = definition.hasName() && !definition.getName().isEmpty() ? definition.getName()
                : baseName(prototxt);
        return importNet(definition, weights, prototxt.getFileName().toString(),
                caffemodel == null ? "(no .caffemodel)" : caffemodel.getFileName().toString(), name);
    }

    private static String baseName(Path p) {
        String f = p.getFileName().toString();
        int dot = f.lastIndexOf('.');
        return dot > 0 ? f.substring(0, dot) : f;
    }

    /** Parses a network definition in protobuf text format; fields outside Infero's caffe.proto subset are skipped. */
    public static NetParameter parseText(Path file) {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(Files.readAllBytes(file))).toString();
        } catch (NoSuchFileException e) {
            throw new InferoException("Caffe network definition " + file + " does not exist");
        } catch (CharacterCodingException e) {
            throw new InvalidModelException("Caffe network definition " + file + " is not UTF-8 text (is it the .caffemodel?)");
        } catch (IOException e) {
            throw new InferoException("cannot read " + file + ": " + e.getMessage(), e);
        }
        return parseText(text, file.toString());
    }

    /** Parses prototxt {@code text}; {@code source} names it in errors. */
    public static NetParameter parseText(String text, String source) {
        NetParameter.Builder b = NetParameter.newBuilder();
        try {
            TextFormat.Parser.newBuilder().setAllowUnknownFields(true).setAllowUnknownExtensions(true).build()
                    .merge(text, b);
        } catch (TextFormat.ParseException e) {
            throw new InvalidModelException("Caffe network definition " + source + " is not valid prototxt: line "
                    + e.getLine() + ", column " + e.getColumn() + ": " + e.getMessage().replaceFirst("^\\d+:\\d+: ", ""));
        }
        return b.build();
    }

    /**
     * Parses a binary {@code .caffemodel}. The file is mapped, never read beyond its length; a truncated or corrupt
     * file is an error naming the last layer read.
     */
    public static NetParameter parseBinary(Path file) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size > SIZE_LIMIT) {
                throw new InvalidModelException("Caffe weights " + file + " are " + size
                        + " bytes; protobuf messages larger than 2 GiB cannot be read");
            }
            MappedByteBuffer buffer = ch.map(FileChannel.MapMode.READ_ONLY, 0, size);
            return parseBinary(CodedInputStream.newInstance(buffer), file.toString());
        } catch (NoSuchFileException e) {
            throw new InferoException("Caffe weights " + file + " do not exist");
        } catch (IOException e) {
            throw new InferoException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** Parses caffemodel bytes (tests); {@code source} names them in errors. */
    public static NetParameter parseBinary(byte[] bytes, String source) {
        return parseBinary(CodedInputStream.newInstance(bytes), source);
    }

    private static NetParameter parseBinary(CodedInputStream in, String source) {
        in.setSizeLimit(SIZE_LIMIT);
        NetParameter net;
        try {
            net = NetParameter.parseFrom(in);
        } catch (InvalidProtocolBufferException e) {
            String where = "";
            if (e.getUnfinishedMessage() instanceof NetParameter partial) {
                List<String> names = layerNames(partial);
                where = names.isEmpty() ? " before its first layer" : " after layer '" + names.get(names.size() - 1)
                        + "' (" + names.size() + " layers read)";
            }
            throw new InvalidModelException("Caffe weights " + source + " are truncated or corrupt" + where + ": "
                    + e.getMessage());
        } catch (IOException e) {
            throw new InferoException("cannot read " + source + ": " + e.getMessage(), e);
        }
        if (net.getLayerCount() == 0 && net.getLayersCount() == 0) {
            throw new InvalidModelException("Caffe weights " + source + " hold no layers (not a .caffemodel?)");
        }
        return net;
    }

    private static List<String> layerNames(NetParameter net) {
        List<String> names = new ArrayList<>();
        net.getLayerList().forEach(l -> names.add(l.getName()));
        net.getLayersList().forEach(l -> names.add(l.getName()));
        return names;
    }

    /** The layers of {@code net} as LayerParameters (V1 layers converted), TEST-phase rules applied. */
    static List<LayerParameter> layers(NetParameter net) {
        List<LayerParameter> all = new ArrayList<>(net.getLayerList());
        for (V1LayerParameter v1 : net.getLayersList()) {
            all.add(fromV1(v1));
        }
        List<LayerParameter> kept = new ArrayList<>();
        for (LayerParameter l : all) {
            boolean included = l.getIncludeCount() == 0 || l.getIncludeList().stream().anyMatch(CaffeImporter::meetsTest);
            boolean excluded = l.getExcludeList().stream().anyMatch(CaffeImporter::meetsTest);
            if (included && !excluded) {
                kept.add(l);
            }
        }
        return kept;
    }

    /** Caffe's NetState rule check against the inference state: phase TEST, level 0, no stages. */
    private static boolean meetsTest(NetStateRule r) {
        if (r.hasPhase() && r.getPhase() != Phase.TEST) {
            return false;
        }
        if ((r.hasMinLevel() && r.getMinLevel() > 0) || (r.hasMaxLevel() && r.getMaxLevel() < 0)) {
            return false;
        }
        return r.getStageCount() == 0;
    }

    private static final Map<V1LayerParameter.LayerType, String> V1_TYPES = Map.ofEntries(
            Map.entry(V1LayerParameter.LayerType.ABSVAL, "AbsVal"), Map.entry(V1LayerParameter.LayerType.ACCURACY, "Accuracy"),
            Map.entry(V1LayerParameter.LayerType.ARGMAX, "ArgMax"), Map.entry(V1LayerParameter.LayerType.BNLL, "BNLL"),
            Map.entry(V1LayerParameter.LayerType.CONCAT, "Concat"), Map.entry(V1LayerParameter.LayerType.CONVOLUTION, "Convolution"),
            Map.entry(V1LayerParameter.LayerType.DATA, "Data"), Map.entry(V1LayerParameter.LayerType.DECONVOLUTION, "Deconvolution"),
            Map.entry(V1LayerParameter.LayerType.DROPOUT, "Dropout"), Map.entry(V1LayerParameter.LayerType.ELTWISE, "Eltwise"),
            Map.entry(V1LayerParameter.LayerType.EXP, "Exp"), Map.entry(V1LayerParameter.LayerType.FLATTEN, "Flatten"),
            Map.entry(V1LayerParameter.LayerType.INNER_PRODUCT, "InnerProduct"), Map.entry(V1LayerParameter.LayerType.LRN, "LRN"),
            Map.entry(V1LayerParameter.LayerType.POOLING, "Pooling"), Map.entry(V1LayerParameter.LayerType.POWER, "Power"),
            Map.entry(V1LayerParameter.LayerType.RELU, "ReLU"), Map.entry(V1LayerParameter.LayerType.SIGMOID, "Sigmoid"),
            Map.entry(V1LayerParameter.LayerType.SILENCE, "Silence"), Map.entry(V1LayerParameter.LayerType.SOFTMAX, "Softmax"),
            Map.entry(V1LayerParameter.LayerType.SOFTMAX_LOSS, "SoftmaxWithLoss"), Map.entry(V1LayerParameter.LayerType.SPLIT, "Split"),
            Map.entry(V1LayerParameter.LayerType.SLICE, "Slice"), Map.entry(V1LayerParameter.LayerType.TANH, "TanH"),
            Map.entry(V1LayerParameter.LayerType.MVN, "MVN"), Map.entry(V1LayerParameter.LayerType.THRESHOLD, "Threshold"));

    /** A V1 layer in the current form: the same parameter messages, the type enum as its string. */
    static LayerParameter fromV1(V1LayerParameter v1) {
        LayerParameter.Builder b = LayerParameter.newBuilder().setName(v1.getName())
                .setType(V1_TYPES.getOrDefault(v1.getType(), v1.getType().name()))
                .addAllBottom(v1.getBottomList()).addAllTop(v1.getTopList()).addAllBlobs(v1.getBlobsList())
                .addAllInclude(v1.getIncludeList()).addAllExclude(v1.getExcludeList());
        if (v1.hasConcatParam()) b.setConcatParam(v1.getConcatParam());
        if (v1.hasConvolutionParam()) b.setConvolutionParam(v1.getConvolutionParam());
        if (v1.hasDropoutParam()) b.setDropoutParam(v1.getDropoutParam());
        if (v1.hasEltwiseParam()) b.setEltwiseParam(v1.getEltwiseParam());
        if (v1.hasExpParam()) b.setExpParam(v1.getExpParam());
        if (v1.hasInnerProductParam()) b.setInnerProductParam(v1.getInnerProductParam());
        if (v1.hasLrnParam()) b.setLrnParam(v1.getLrnParam());
        if (v1.hasPoolingParam()) b.setPoolingParam(v1.getPoolingParam());
        if (v1.hasPowerParam()) b.setPowerParam(v1.getPowerParam());
        if (v1.hasReluParam()) b.setReluParam(v1.getReluParam());
        if (v1.hasSoftmaxParam()) b.setSoftmaxParam(v1.getSoftmaxParam());
        if (v1.hasSliceParam()) b.setSliceParam(v1.getSliceParam());
        return b.build();
    }

    /**
     * Builds the graph of {@code definition} with the blobs of {@code weights} (matched by layer name; blobs inside
     * the definition itself are used when the weights have none for a layer).
     */
    public static Graph importNet(NetParameter definition, NetParameter weights, String definitionName,
            String weightsName, String modelName) {
        List<LayerParameter> layers = layers(definition);
        if (layers.isEmpty()) {
            throw new InvalidModelException("Caffe network definition " + definitionName + " has no layers");
        }
        List<String> unsupported = new ArrayList<>();
        for (LayerParameter l : layers) {
            if (!CaffeLayers.supports(l.getType())) {
                unsupported.add(l.getType() + " (layer '" + l.getName() + "')");
            }
        }
        if (!unsupported.isEmpty()) {
            throw new UnsupportedModelException("Caffe model " + definitionName + " uses " + unsupported.size()
                    + " layer(s) Infero does not support: " + String.join(", ", unsupported), unsupported);
        }
        Map<String, List<BlobProto>> blobs = new HashMap<>();
        if (weights != null) {
            for (LayerParameter l : weights.getLayerList()) {
                blobs.putIfAbsent(l.getName(), l.getBlobsList());
            }
            for (V1LayerParameter l : weights.getLayersList()) {
                blobs.putIfAbsent(l.getName(), l.getBlobsList());
            }
        }
        List<String> missing = new ArrayList<>();
        for (LayerParameter l : layers) {
            if (CaffeLayers.needsWeights(l) && blobs.getOrDefault(l.getName(), List.of()).isEmpty()
                    && l.getBlobsCount() == 0) {
                missing.add("'" + l.getName() + "' (" + l.getType() + ")");
            }
        }
        if (!missing.isEmpty()) {
            List<String> known = new ArrayList<>();
            blobs.forEach((k, v) -> {
                if (!v.isEmpty()) {
                    known.add(k);
                }
            });
            Collections.sort(known);
            throw new InvalidModelException("Caffe layers of " + definitionName + " do not match the weights in " + weightsName
                    + ": no blobs for layer(s) " + String.join(", ", missing) + "; " + weightsName
                    + " has weights for " + (known.isEmpty() ? "no layer" : "layers " + String.join(", ", known)));
        }

        Graph g = new Graph(modelName);
        g.metadata().put("framework", "caffe");
        Map<String, Value> tops = new LinkedHashMap<>();
        Map<Value, Boolean> consumed = new IdentityHashMap<>();
        List<String> order = new ArrayList<>();
        addNetInputs(definition, g, tops, order, definitionName);
        for (LayerParameter l : layers) {
            List<Value> inputs = new ArrayList<>();
            for (String bottom : l.getBottomList()) {
                Value v = tops.get(bottom);
                if (v == null) {
                    throw new InvalidModelException("Caffe layer '" + l.getName() + "' (" + l.getType() + ") in " + definitionName
                            + " reads blob '" + bottom + "', which no earlier layer produces");
                }
                inputs.add(v);
                consumed.put(v, true);
            }
            List<BlobProto> layerBlobs = blobs.getOrDefault(l.getName(), List.of());
            if (layerBlobs.isEmpty()) {
                layerBlobs = l.getBlobsList();
            }
            CaffeLayer layer = new CaffeLayer(l, g, inputs, layerBlobs, definitionName, weightsName);
            List<Value> outputs;
            try {
                outputs = CaffeLayers.translate(layer);
            } catch (UnsupportedModelException | ResourceLimitException e) {
                throw e;
            } catch (InferoException | IllegalArgumentException e) {
                String m = e.getMessage();
                throw m != null && m.startsWith("Caffe layer '") ? (e instanceof InferoException ie ? ie : new InvalidModelException(m, e))
                        : layer.error(m);
            }
            if (outputs.size() != l.getTopCount()) {
                throw layer.error("produces " + outputs.size() + " blob(s) but lists " + l.getTopCount() + " top(s)");
            }
            for (int i = 0; i < outputs.size(); i++) {
                String top = l.getTop(i);
                Value v = outputs.get(i);
                v.names().add(top);
                tops.put(top, v);
                order.remove(top);
                order.add(top);
            }
        }
        for (String top : order) {
            Value v = tops.get(top);
            if (!consumed.containsKey(v) && !(v.node().op() instanceof Parameter)) {
                g.addResult(top, v).output(0).names().add(top);
            }
        }
        if (g.results().isEmpty()) {
            throw new InvalidModelException("Caffe network " + definitionName + " has no output: every blob is read by a later layer");
        }
        return g;
    }

    /** The deprecated net-level inputs: {@code input} names with {@code input_shape} or 4 {@code input_dim}s each. */
    private static void addNetInputs(NetParameter net, Graph g, Map<String, Value> tops, List<String> order, String file) {
        int n = net.getInputCount();
        if (n == 0) {
            return;
        }
        if (net.getInputShapeCount() != 0 && net.getInputShapeCount() != n) {
            throw new InvalidModelException("Caffe network definition " + file + " lists " + n + " input(s) but "
                    + net.getInputShapeCount() + " input_shape(s)");
        }
        if (net.getInputShapeCount() == 0 && net.getInputDimCount() != 4 * n) {
            throw new InvalidModelException("Caffe network definition " + file + " lists " + n + " input(s) but "
                    + net.getInputDimCount() + " input_dim values (4 per input expected)");
        }
        for (int i = 0; i < n; i++) {
            long[] dims = net.getInputShapeCount() > 0 ? net.getInputShape(i).getDimList().stream().mapToLong(Long::longValue).toArray()
                    : net.getInputDimList().subList(4 * i, 4 * i + 4).stream().mapToLong(Long::longValue).toArray();
            Value v = addInput(g, net.getInput(i), dims, file);
            tops.put(net.getInput(i), v);
            order.add(net.getInput(i));
        }
    }

    /** A model input [dims] (f32); a zero or negative dimension is dynamic. */
    static Value addInput(Graph g, String name, long[] dims, String file) {
        int[] shape = new int[dims.length];
        for (int i = 0; i < dims.length; i++) {
            if (dims[i] > Integer.MAX_VALUE) {
                throw new InvalidModelException("input '" + name + "' of " + file + " has dimension " + dims[i] + ", too large");
            }
            shape[i] = dims[i] <= 0 ? PartialShape.DYNAMIC : (int) dims[i];
        }
        Value v = g.addParameter(name, ElementType.F32, PartialShape.of(shape)).output(0);
        v.names().add(name);
        return v;
    }

    /** Dimensions of a blob: its BlobShape, else the legacy num/channels/height/width. */
    static long[] blobDims(BlobProto b) {
        if (b.hasShape()) {
            BlobShape s = b.getShape();
            return s.getDimList().stream().mapToLong(Long::longValue).toArray();
        }
        if (b.hasNum() || b.hasChannels() || b.hasHeight() || b.hasWidth()) {
            return new long[] {b.getNum(), b.getChannels(), b.getHeight(), b.getWidth()};
        }
        return new long[] {b.getDataCount() + b.getDoubleDataCount()};
    }
}
