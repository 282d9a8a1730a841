package dev.infero.api;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Runs a model in ONNX Runtime Java (all graph optimizations on) to produce reference outputs. */
final class OrtReference {
    private OrtReference() {
    }

    /** Outputs of {@code model} for {@code inputs} (in graph-input order), in graph-output order. */
    static List<Tensor> run(Path model, List<Tensor> inputs) throws OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            options.setIntraOpNumThreads(1);
            try (OrtSession session = env.createSession(model.toString(), options)) {
                Map<String, OnnxTensor> feed = new LinkedHashMap<>();
                List<String> names = new ArrayList<>(session.getInputNames());
                try {
                    for (int i = 0; i < inputs.size(); i++) {
                        feed.put(names.get(i), toOrt(env, inputs.get(i)));
                    }
                    try (OrtSession.Result result = session.run(feed)) {
                        List<Tensor> outputs = new ArrayList<>();
                        for (Map.Entry<String, OnnxValue> e : result) {
                            outputs.add(fromOrt((OnnxTensor) e.getValue()));
                        }
                        return outputs;
                    }
                } finally {
                    feed.values().forEach(OnnxTensor::close);
                }
            }
        }
    }

    private static OnnxTensor toOrt(OrtEnvironment env, Tensor t) throws OrtException {
        long[] shape = java.util.Arrays.stream(t.shape()).asLongStream().toArray();
        return switch (t.type()) {
            case F32 -> OnnxTensor.createTensor(env, FloatBuffer.wrap(t.floats(), 0, t.size()), shape);
            case I64 -> OnnxTensor.createTensor(env, LongBuffer.wrap(t.longs(), 0, t.size()), shape);
            default -> throw new IllegalArgumentException("unsupported reference input type " + t.type());
        };
    }

    private static Tensor fromOrt(OnnxTensor t) {
        int[] shape = java.util.Arrays.stream(t.getInfo().getShape()).mapToInt(Math::toIntExact).toArray();
        return switch (t.getInfo().type) {
            case FLOAT -> {
                FloatBuffer b = t.getFloatBuffer();
                float[] data = new float[b.remaining()];
                b.get(data);
                yield Tensor.wrap(ElementType.F32, shape, data);
            }
            case INT64 -> {
                LongBuffer b = t.getLongBuffer();
                long[] data = new long[b.remaining()];
                b.get(data);
                yield Tensor.wrap(ElementType.I64, shape, data);
            }
            default -> throw new IllegalArgumentException("unsupported reference output type " + t.getInfo().type);
        };
    }
}
