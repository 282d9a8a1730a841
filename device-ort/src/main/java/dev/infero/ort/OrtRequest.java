package dev.infero.ort;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.infero.core.InferoException;
import dev.infero.core.InvalidInputException;
import dev.infero.core.device.ExecutionRequest;
import dev.infero.core.device.PortInfo;
import dev.infero.core.device.ProfilingInfo;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import java.nio.ByteBuffer;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Inputs and outputs of one ONNX Runtime call; input tensors are copied into ORT's buffers on each run. */
final class OrtRequest implements ExecutionRequest {
    private final OrtSession session;
    private final List<PortInfo> inputs;
    private final List<String> ortInputs;
    private final List<String> ortOutputs;
    private final Tensor[] bound;
    private final Tensor[] results;
    private final OrtProfiling profiling;

    /**
     * {@code ortInputs}/{@code ortOutputs}: the session's names of the model's inputs and outputs, in order;
     * {@code profiling}: the session's profile, or null when it is not profiled.
     */
    OrtRequest(OrtSession session, List<PortInfo> inputs, List<String> ortInputs, List<String> ortOutputs,
               OrtProfiling profiling) {
        this.session = session;
        this.profiling = profiling;
        this.inputs = inputs;
        this.ortInputs = ortInputs;
        this.ortOutputs = ortOutputs;
        this.bound = new Tensor[inputs.size()];
        this.results = new Tensor[ortOutputs.size()];
    }

    @Override
    public void setInput(int index, Tensor tensor) {
        if (index < 0 || index >= bound.length) {
            throw new InvalidInputException("input index " + index + " is out of range: the model has " + bound.length
                    + " inputs");
        }
        PortInfo port = inputs.get(index);
        if (tensor.type() != port.type()) {
            throw new InvalidInputException("input '" + port.name() + "' expects " + port.type() + " data, got "
                    + tensor.type());
        }
        bound[index] = tensor;
    }

    @Override
    public Tensor input(int index) {
        return bound[index];
    }

    @Override
    public void run() {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        Map<String, OnnxTensor> feed = new LinkedHashMap<>();
        try {
            for (int i = 0; i < bound.length; i++) {
                if (bound[i] == null) {
                    throw new InvalidInputException("input '" + inputs.get(i).name() + "' was not set");
                }
                feed.put(ortInputs.get(i), toOrt(env, bound[i]));
            }
            LinkedHashSet<String> wanted = new LinkedHashSet<>(ortOutputs);
            try (OrtSession.Result r = session.run(feed, wanted)) {
                for (int i = 0; i < results.length; i++) {
                    Optional<OnnxValue> v = r.get(ortOutputs.get(i));
                    if (v.isEmpty() || !(v.get() instanceof OnnxTensor t)) {
                        throw new InferoException("ONNX Runtime returned no tensor for output '"
                                + ortOutputs.get(i) + "'");
                    }
                    results[i] = fromOrt(t);
                }
            }
        } catch (OrtException e) {
            throw new InferoException("ONNX Runtime failed: " + e.getMessage(), e);
        } finally {
            feed.values().forEach(OnnxTensor::close);
        }
    }

    @Override
    public Tensor output(int index) {
        return results[index];
    }

    /**
     * The session's per-node counters when it was compiled with {@code PERF_COUNT=YES} (profiling is per session in
     * ONNX Runtime, so {@code setProfiling} changes nothing): each node's median over all runs of the session until
     * the first call, which ends the profile (see {@link OrtProfiling}); empty otherwise.
     */
    @Override
    public List<ProfilingInfo> profilingInfo() {
        return profiling == null ? List.of() : profiling.counters();
    }

    private static OnnxTensor toOrt(OrtEnvironment env, Tensor t) throws OrtException {
        long[] shape = Arrays.stream(t.shape()).asLongStream().toArray();
        int n = t.size();
        return switch (t.type()) {
            case F32 -> OnnxTensor.createTensor(env, FloatBuffer.wrap(t.floats(), 0, n), shape);
            case F64 -> OnnxTensor.createTensor(env, DoubleBuffer.wrap(t.doubles(), 0, n), shape);
            case I64 -> OnnxTensor.createTensor(env, LongBuffer.wrap(t.longs(), 0, n), shape);
            case I32 -> OnnxTensor.createTensor(env, IntBuffer.wrap(t.ints(), 0, n), shape);
            case I8, U8, BOOLEAN -> OnnxTensor.createTensor(env, ByteBuffer.wrap(t.bytes(), 0, n), shape,
                    switch (t.type()) {
                        case I8 -> ai.onnxruntime.OnnxJavaType.INT8;
                        case U8 -> ai.onnxruntime.OnnxJavaType.UINT8;
                        default -> ai.onnxruntime.OnnxJavaType.BOOL;
                    });
            default -> throw new InferoException("device ORT does not take " + t.type() + " inputs");
        };
    }

    private static Tensor fromOrt(OnnxTensor t) {
        int[] shape = Arrays.stream(t.getInfo().getShape()).mapToInt(Math::toIntExact).toArray();
        return switch (t.getInfo().type) {
            case FLOAT -> {
                FloatBuffer b = t.getFloatBuffer();
                float[] data = new float[b.remaining()];
                b.get(data);
                yield Tensor.wrap(ElementType.F32, shape, data);
            }
            case DOUBLE -> {
                DoubleBuffer b = t.getDoubleBuffer();
                double[] data = new double[b.remaining()];
                b.get(data);
                yield Tensor.wrap(ElementType.F64, shape, data);
            }
            case INT64 -> {
                LongBuffer b = t.getLongBuffer();
                long[] data = new long[b.remaining()];
                b.get(data);
                yield Tensor.wrap(ElementType.I64, shape, data);
            }
            case INT32 -> {
                IntBuffer b = t.getIntBuffer();
                int[] data = new int[b.remaining()];
                b.get(data);
                yield Tensor.wrap(ElementType.I32, shape, data);
            }
            case INT8, UINT8, BOOL -> {
                ByteBuffer b = t.getByteBuffer();
                byte[] data = new byte[b.remaining()];
                b.get(data);
                ElementType type = switch (t.getInfo().type) {
                    case INT8 -> ElementType.I8;
                    case UINT8 -> ElementType.U8;
                    default -> ElementType.BOOLEAN;
                };
                yield Tensor.wrap(type, shape, data);
            }
            default -> throw new InferoException("device ORT cannot return " + t.getInfo().type + " outputs");
        };
    }
}
