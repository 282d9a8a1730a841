package dev.infero.ort;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.infero.core.InferoException;
import dev.infero.core.device.ProfilingInfo;
import dev.infero.onnx.proto.Onnx.ModelProto;
import dev.infero.onnx.proto.Onnx.NodeProto;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Per-node counters of a session compiled with {@code PERF_COUNT=YES}: ONNX Runtime profiles the session from its
 * creation, writes its optimized graph, and (for a model that is not an ONNX file) the export it was given, all into
 * one temporary directory that {@link #close()} deletes. ONNX Runtime hands out its profile only by ending it, so the
 * first {@link #counters()} call ends profiling for the session and the counters are each node's median over every
 * run until then; later runs are not profiled.
 */
final class OrtProfiling implements AutoCloseable {
    /** Domain of ONNX Runtime's blocked-layout kernels; their nodes are reported as {@code Nchwc<op>}. */
    static final String NCHWC_DOMAIN = "com.microsoft.nchwc";

    private final Path dir;
    private final Path executedModel;
    private OrtSession session;
    private List<ProfilingInfo> counters;

    private OrtProfiling(Path dir, Path executedModel) {
        this.dir = dir;
        this.executedModel = executedModel;
    }

    /** A new directory for one session's profile; {@code exported}: the bytes ORT is given, or null for a file. */
    static OrtProfiling create(String onnxFile, byte[] exported) {
        try {
            Path dir = Files.createTempDirectory("infero-ort-profile");
            Path executed = onnxFile != null ? Path.of(onnxFile) : Files.write(dir.resolve("exported.onnx"), exported);
            return new OrtProfiling(dir, executed);
        } catch (IOException e) {
            throw new InferoException("cannot create a directory for ONNX Runtime's profile: " + e.getMessage(), e);
        }
    }

    /** Turns profiling and the optimized graph's file on in {@code options}. */
    void configure(OrtSession.SessionOptions options) throws OrtException {
        options.enableProfiling(dir.resolve("profile").toString());
        options.setOptimizedModelFilePath(optimizedModel().toString());
    }

    void attach(OrtSession session) {
        this.session = session;
    }

    Path executedModel() {
        return executedModel;
    }

    Path optimizedModel() {
        return dir.resolve("optimized.onnx");
    }

    /** Each node's median time over the runs so far, in the order of their first run; ends profiling on first use. */
    synchronized List<ProfilingInfo> counters() {
        if (counters == null) {
            Path file;
            try {
                file = Path.of(session.endProfiling());
            } catch (OrtException e) {
                throw new InferoException("ONNX Runtime cannot end its profile: " + e.getMessage(), e);
            }
            try {
                counters = OrtProfile.counters(OrtProfile.read(file), kernels(optimizedModel()));
            } finally {
                deleteQuietly(file);
            }
        }
        return counters;
    }

    /** Node name → kernel as the optimized graph has it: {@code NchwcConv} for a Conv of the NCHWc domain. */
    static Map<String, String> kernels(Path optimized) {
        Map<String, String> out = new HashMap<>();
        if (!Files.isRegularFile(optimized)) {
            return out;
        }
        ModelProto model;
        try (InputStream in = Files.newInputStream(optimized)) {
            model = ModelProto.parseFrom(in);
        } catch (IOException e) {
            throw new InferoException("ONNX Runtime's optimized model " + optimized + " cannot be read: "
                    + e.getMessage(), e);
        }
        for (NodeProto n : model.getGraph().getNodeList()) {
            boolean nchwc = n.getDomain().equals(NCHWC_DOMAIN) && !n.getOpType().startsWith("Reorder");
            out.put(n.getName(), (nchwc ? "Nchwc" : "") + n.getOpType());
        }
        return out;
    }

    /** Deletes the directory and what is in it (call after the session is closed, which may write the profile). */
    @Override
    public void close() {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(OrtProfiling::deleteQuietly);
        } catch (IOException | UncheckedIOException e) {
            // Already gone: nothing to delete.
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            // A temporary file that stays behind does no harm; the directory's name says what it is.
        }
    }
}
