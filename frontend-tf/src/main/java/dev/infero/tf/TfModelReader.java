package dev.infero.tf;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.TextFormat;
import dev.infero.core.InferoException;
import dev.infero.core.InvalidModelException;
import dev.infero.core.frontend.ModelSource;
import dev.infero.core.graph.Graph;
import dev.infero.tf.proto.Tf.GraphDef;
import dev.infero.tf.proto.Tf.MetaGraphDef;
import dev.infero.tf.proto.Tf.NodeDef;
import dev.infero.tf.proto.Tf.SavedModel;
import dev.infero.tf.proto.Tf.SignatureDef;
import dev.infero.tf.proto.Tf.TensorInfo;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reads TensorFlow model files: frozen GraphDefs in binary ({@code .pb}) or text format ({@code .pbtxt}), a companion
 * text graph (OpenCV's), and SavedModel directories ({@code saved_model.pb}) whose serving graph holds its weights
 * as constants.
 */
public final class TfModelReader {
    /** Protobuf's default nesting limit (100) is enough for GraphDefs; tensors nest a few levels only. */
    private static final int RECURSION_LIMIT = 200;
    /** Ops that hold SavedModel variables (values in the checkpoint under {@code variables/}). */
    private static final Set<String> VARIABLE_OPS = Set.of("VarHandleOp", "VariableV2", "Variable");
    /** Ops that call functions of the graph's library. */
    private static final Set<String> FUNCTION_CALLS = Set.of("StatefulPartitionedCall", "PartitionedCall");
    private static final String FREEZE = "Freeze the model to a GraphDef with constants first, e.g. in TensorFlow 2: "
            + "convert_variables_to_constants_v2(tf.function(model).get_concrete_function(...)).graph.as_graph_def(), "
            + "written with tf.io.write_graph(..., as_text=False); or TensorFlow 1's freeze_graph tool; then convert "
            + "the .pb";

    /**
     * protobuf's text parser logs a warning when it skips fields Infero's .proto leaves out (such as a GraphDef's
     * {@code library}); skipping them is intended, so the logger is kept quiet (held here so the setting stays).
     */
    private static final java.util.logging.Logger TEXT_FORMAT_LOG =
            java.util.logging.Logger.getLogger(TextFormat.class.getName());

    static {
        TEXT_FORMAT_LOG.setLevel(java.util.logging.Level.SEVERE);
    }

    private TfModelReader() {
    }

    /** Reads the model {@code source} names (file or SavedModel directory, with its companion text graph). */
    public static Graph read(ModelSource source) {
        Path model = source.model();
        if (Files.isDirectory(model)) {
            return readSavedModel(model);
        }
        if (model.getFileName() != null && model.getFileName().toString().equals("saved_model.pb")
                && model.toAbsolutePath().getParent() != null) {
            return readSavedModel(model.toAbsolutePath().getParent());
        }
        GraphDef graph = readGraphDef(model);
        GraphDef companion = source.proto() == null ? null : readGraphDef(source.proto());
        String file = model.toString() + (source.proto() == null ? "" : " (with " + source.proto() + ")");
        try {
            return TfImporter.importGraph(graph, companion, file, baseName(model), List.of());
        } catch (InferoException e) {
            if (companion == null && e.getMessage().contains("which the graph does not define")
                    && source.fileName().endsWith(".pbtxt")) {
                throw new InvalidModelException(e.getMessage() + ". If this is a text graph that goes with a frozen .pb "
                        + "(as OpenCV's detector graphs do), give the .pb as --input_model and this file as "
                        + "--input_proto", e);
            }
            throw e;
        }
    }

    private static String baseName(Path p) {
        Path f = p.toAbsolutePath().normalize().getFileName();
        return f == null ? "model" : f.toString().replaceFirst("\\.(pb|pbtxt|pbtx|txt)$", "");
    }

    /** Whether {@code head} starts like a GraphDef in text format ({@code node {}, {@code versions {}, comments). */
    static boolean looksLikeText(byte[] head) {
        String s = new String(head, StandardCharsets.ISO_8859_1).stripLeading();
        while (s.startsWith("#")) {
            int nl = s.indexOf('\n');
            if (nl < 0) {
                return true;
            }
            s = s.substring(nl + 1).stripLeading();
        }
        return s.matches("(?s)^(node|versions|library|meta_graphs|saved_model_schema_version)\\s*[{:].*")
                || s.matches("(?s)^(node|versions|library)\\s*$");
    }

    /** Whether {@code head} starts like a binary GraphDef: field 1 (node), a NodeDef beginning with its name. */
    static boolean looksLikeBinaryGraph(byte[] head) {
        if (head.length < 4 || head[0] != 0x0A) {
            return false;
        }
        int i = 1;
        while (i < head.length && (head[i] & 0x80) != 0) {
            i++;
        }
        return i + 1 < head.length && head[i + 1] == 0x0A;
    }

    /** A GraphDef from binary or text format (by content; a text file's name usually ends in .pbtxt). */
    public static GraphDef readGraphDef(Path file) {
        return parse(file, GraphDef.newBuilder(), "GraphDef");
    }

    private static <B extends Message.Builder> Message parseMessage(Path file, B builder, String what) {
        byte[] bytes;
        try {
            long size = Files.size(file);
            if (size > Integer.MAX_VALUE - 8) {
                throw new InvalidModelException(file + " is larger than 2 GB, more than a protobuf can hold");
            }
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new InferoException("model file " + file + " does not exist");
        } catch (IOException e) {
            throw new InferoException("cannot read " + file + ": " + e.getMessage(), e);
        }
        if (bytes.length == 0) {
            throw new InvalidModelException(file + " is empty, not a TensorFlow " + what);
        }
        byte[] head = java.util.Arrays.copyOf(bytes, Math.min(bytes.length, 256));
        String name = file.getFileName() == null ? "" : file.getFileName().toString().toLowerCase();
        if (looksLikeText(head) || name.endsWith(".pbtxt") || name.endsWith(".pbtx")) {
            try {
                TextFormat.Parser parser = TextFormat.Parser.newBuilder().setAllowUnknownFields(true)
                        .setAllowUnknownExtensions(true).build();
                parser.merge(new String(bytes, StandardCharsets.UTF_8), builder);
                return builder.build();
            } catch (TextFormat.ParseException e) {
                throw new InvalidModelException(file + " is not a valid TensorFlow " + what + " in text format: "
                        + e.getMessage());
            }
        }
        try {
            CodedInputStream in = CodedInputStream.newInstance(bytes);
            in.setRecursionLimit(RECURSION_LIMIT);
            in.setSizeLimit(Integer.MAX_VALUE);
            builder.mergeFrom(in);
            in.checkLastTagWas(0);
            return builder.build();
        } catch (InvalidProtocolBufferException e) {
            throw new InvalidModelException(file + " is not a valid TensorFlow " + what + " (corrupt or truncated protobuf: "
                    + e.getMessage() + ")");
        } catch (IOException e) {
            throw new InferoException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    @SuppressWarnings("unchecked")
    private static <M extends Message> M parse(Path file, Message.Builder builder, String what) {
        return (M) parseMessage(file, builder, what);
    }

    /**
     * {@code graph} with its variables (VariableV2, VarHandleOp by shared_name) replaced by constants holding their
     * checkpoint values and ReadVariableOp by Identity; variables absent from the checkpoint stay (and are reported as
     * unsupported if the outputs need them).
     */
    static GraphDef bindVariables(GraphDef graph, TensorBundle bundle) {
        GraphDef.Builder out = graph.toBuilder().clearNode();
        for (NodeDef n : graph.getNodeList()) {
            String key = n.getName();
            if (n.getOp().equals("VarHandleOp") && n.containsAttr("shared_name")
                    && !n.getAttrOrThrow("shared_name").getS().isEmpty()) {
                key = n.getAttrOrThrow("shared_name").getS().toStringUtf8();
            }
            if (VARIABLE_OPS.contains(n.getOp()) && bundle.entries().containsKey(key)) {
                var value = bundle.tensor(key);
                out.addNode(NodeDef.newBuilder().setName(n.getName()).setOp("Const")
                        .putAttr("value", dev.infero.tf.proto.Tf.AttrValue.newBuilder().setTensor(value).build())
                        .putAttr("dtype", dev.infero.tf.proto.Tf.AttrValue.newBuilder().setType(value.getDtype())
                                .build()));
            } else if (n.getOp().equals("ReadVariableOp")) {
                out.addNode(n.toBuilder().setOp("Identity"));
            } else {
                out.addNode(n);
            }
        }
        return out.build();
    }

    /**
     * A SavedModel directory: the meta graph tagged {@code serve} (or the only one), its {@code serving_default}
     * signature's outputs (or the only signature's). Variables of TensorFlow 1 style graphs (VariableV2, or VarHandleOp
     * with ReadVariableOp) take their values from the checkpoint in {@code variables/}; TensorFlow 2 graphs that call
     * functions are reported with how to freeze the model.
     */
    public static Graph readSavedModel(Path dir) {
        Path pb = dir.resolve("saved_model.pb");
        if (!Files.exists(pb)) {
            Path text = dir.resolve("saved_model.pbtxt");
            if (!Files.exists(text)) {
                throw new InvalidModelException(dir + " is a directory without saved_model.pb: not a TensorFlow SavedModel");
            }
            pb = text;
        }
        SavedModel saved = parse(pb, SavedModel.newBuilder(), "SavedModel");
        if (saved.getMetaGraphsCount() == 0) {
            throw new InvalidModelException(pb + " holds no meta graph");
        }
        MetaGraphDef meta = saved.getMetaGraphs(0);
        for (MetaGraphDef m : saved.getMetaGraphsList()) {
            if (m.getMetaInfoDef().getTagsList().contains("serve")) {
                meta = m;
                break;
            }
        }
        Set<String> calls = new TreeSet<>();
        boolean variables = false;
        for (NodeDef n : meta.getGraphDef().getNodeList()) {
            if (FUNCTION_CALLS.contains(n.getOp())) {
                calls.add(n.getOp());
            }
            variables |= VARIABLE_OPS.contains(n.getOp());
        }
        if (!calls.isEmpty()) {
            throw new InvalidModelException(pb + ": the serving graph calls TensorFlow functions (" + String.join(", ", calls)
                    + "), as TensorFlow 2 SavedModels do; Infero reads graphs whose ops are inline. " + FREEZE);
        }
        GraphDef graph = meta.getGraphDef();
        if (variables) {
            Path prefix = dir.resolve("variables").resolve("variables");
            if (!Files.exists(Path.of(prefix + ".index"))) {
                throw new InferoException(pb + ": the graph has variables but " + prefix + ".index does not exist. "
                        + FREEZE);
            }
            graph = bindVariables(graph, TensorBundle.open(prefix));
        }
        List<String> outputs = new ArrayList<>();
        SignatureDef signature = meta.getSignatureDefOrDefault("serving_default",
                meta.getSignatureDefCount() == 1 ? meta.getSignatureDefMap().values().iterator().next() : null);
        if (signature != null) {
            for (TensorInfo t : new java.util.TreeMap<>(signature.getOutputsMap()).values()) {
                outputs.add(t.getName());
            }
        }
        String name = dir.toAbsolutePath().normalize().getFileName() == null ? "saved_model"
                : dir.toAbsolutePath().normalize().getFileName().toString();
        return TfImporter.importGraph(graph, null, pb.toString(), name, outputs);
    }
}
