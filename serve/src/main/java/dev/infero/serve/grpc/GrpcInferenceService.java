package dev.infero.serve.grpc;

import com.google.protobuf.ByteString;
import dev.infero.core.InferoException;
import dev.infero.core.device.PortInfo;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.tensor.TensorBytes;
import dev.infero.core.types.ElementType;
import dev.infero.serve.Datatypes;
import dev.infero.serve.InferPayload;
import dev.infero.serve.InferoServer;
import dev.infero.serve.ModelVersion;
import dev.infero.serve.NamedTensor;
import dev.infero.serve.RestCodec;
import dev.infero.serve.ServeException;
import dev.infero.serve.grpc.proto.GRPCInferenceServiceGrpc;
import dev.infero.serve.grpc.proto.InferParameter;
import dev.infero.serve.grpc.proto.InferTensorContents;
import dev.infero.serve.grpc.proto.ModelInferRequest;
import dev.infero.serve.grpc.proto.ModelInferResponse;
import dev.infero.serve.grpc.proto.ModelMetadataRequest;
import dev.infero.serve.grpc.proto.ModelMetadataResponse;
import dev.infero.serve.grpc.proto.ModelReadyRequest;
import dev.infero.serve.grpc.proto.ModelReadyResponse;
import dev.infero.serve.grpc.proto.ServerLiveRequest;
import dev.infero.serve.grpc.proto.ServerLiveResponse;
import dev.infero.serve.grpc.proto.ServerMetadataRequest;
import dev.infero.serve.grpc.proto.ServerMetadataResponse;
import dev.infero.serve.grpc.proto.ServerReadyRequest;
import dev.infero.serve.grpc.proto.ServerReadyResponse;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The KServe v2 gRPC service over an {@link InferoServer}. Inputs come as {@code raw_input_contents} (one entry per
 * input, little-endian) or typed {@code contents}; outputs go as {@code raw_output_contents}, as OpenVINO Model Server
 * and Triton send them. Errors map to INVALID_ARGUMENT, NOT_FOUND, RESOURCE_EXHAUSTED (queue full, message too large),
 * UNAVAILABLE, DEADLINE_EXCEEDED and INTERNAL.
 */
public final class GrpcInferenceService extends GRPCInferenceServiceGrpc.GRPCInferenceServiceImplBase {
    private static final Logger LOG = Logger.getLogger(GrpcInferenceService.class.getName());

    private final InferoServer server;

    public GrpcInferenceService(InferoServer server) {
        this.server = server;
    }

    @Override
    public void serverLive(ServerLiveRequest request, StreamObserver<ServerLiveResponse> out) {
        answer(out, "ServerLive", () -> ServerLiveResponse.newBuilder().setLive(server.isLive()).build());
    }

    @Override
    public void serverReady(ServerReadyRequest request, StreamObserver<ServerReadyResponse> out) {
        answer(out, "ServerReady", () -> ServerReadyResponse.newBuilder().setReady(server.isReady()).build());
    }

    @Override
    public void modelReady(ModelReadyRequest request, StreamObserver<ModelReadyResponse> out) {
        answer(out, "ModelReady", () -> {
            boolean ready;
            try {
                server.models().resolve(request.getName(), request.getVersion());
                ready = server.isReady();
            } catch (ServeException e) {
                if (e.kind() != ServeException.Kind.UNAVAILABLE) {
                    throw e;
                }
                ready = false;
            }
            return ModelReadyResponse.newBuilder().setReady(ready).build();
        });
    }

    @Override
    public void serverMetadata(ServerMetadataRequest request, StreamObserver<ServerMetadataResponse> out) {
        answer(out, "ServerMetadata", () -> ServerMetadataResponse.newBuilder().setName(InferoServer.NAME)
                .setVersion(version()).addAllExtensions(InferoServer.EXTENSIONS).build());
    }

    private static String version() {
        String v = InferoServer.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    @Override
    public void modelMetadata(ModelMetadataRequest request, StreamObserver<ModelMetadataResponse> out) {
        answer(out, "ModelMetadata", () -> {
            ModelVersion mv = server.models().resolve(request.getName(), request.getVersion());
            ModelMetadataResponse.Builder b = ModelMetadataResponse.newBuilder().setName(request.getName())
                    .setPlatform("infero");
            server.models().versions(request.getName()).forEach(v -> b.addVersions(Long.toString(v)));
            mv.inputs().forEach(p -> b.addInputs(tensorMetadata(p)));
            mv.outputs().forEach(p -> b.addOutputs(tensorMetadata(p)));
            return b.build();
        });
    }

    private static ModelMetadataResponse.TensorMetadata tensorMetadata(PortInfo p) {
        ModelMetadataResponse.TensorMetadata.Builder b = ModelMetadataResponse.TensorMetadata.newBuilder()
                .setName(p.name()).setDatatype(Datatypes.name(p.type()));
        if (!p.shape().hasRank()) {
            b.addShape(-1);
        } else {
            for (int d : p.shape().dimsOrDynamic()) {
                b.addShape(d);
            }
        }
        return b.build();
    }

    @Override
    public void modelInfer(ModelInferRequest request, StreamObserver<ModelInferResponse> out) {
        long start = System.nanoTime();
        String model = request.getModelName();
        String version = null;
        int status = 200;
        String error = null;
        try {
            InferPayload payload = payload(request);
            InferoServer.Outcome outcome = server.infer(model, request.getModelVersion(), payload);
            version = Long.toString(outcome.version().version());
            ModelInferResponse.Builder b = ModelInferResponse.newBuilder().setModelName(model).setModelVersion(version)
                    .setId(request.getId());
            for (RestCodec.OutputPart part : outcome.outputs()) {
                Tensor t = part.tensor();
                ModelInferResponse.InferOutputTensor.Builder o = ModelInferResponse.InferOutputTensor.newBuilder()
                        .setName(part.name()).setDatatype(Datatypes.name(t.type()));
                for (int d : t.shape()) {
                    o.addShape(d);
                }
                b.addOutputs(o);
                b.addRawOutputContents(ByteString.copyFrom(TensorBytes.toLittleEndian(t)));
            }
            out.onNext(b.build());
            out.onCompleted();
        } catch (ServeException e) {
            status = e.kind().httpStatus();
            error = e.getMessage();
            if (e.kind() == ServeException.Kind.NOT_FOUND) {
                model = null;
            }
            version = e.version();
            out.onError(status(e).asRuntimeException());
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "ModelInfer failed", e);
            status = 500;
            error = "internal error: " + e;
            out.onError(Status.INTERNAL.withDescription(error).asRuntimeException());
        }
        server.recordGrpc("ModelInfer", status, model == null || !server.models().modelNames().contains(model)
                ? null : model, version, request.getId().isEmpty() ? null : request.getId(),
                request.getSerializedSize(), System.nanoTime() - start, error);
    }

    private static Status status(ServeException e) {
        return Status.fromCode(Status.Code.valueOf(e.kind().grpcCode())).withDescription(e.getMessage());
    }

    private <T> void answer(StreamObserver<T> out, String method, Supplier<T> body) {
        long start = System.nanoTime();
        int status = 200;
        String error = null;
        try {
            out.onNext(body.get());
            out.onCompleted();
        } catch (ServeException e) {
            status = e.kind().httpStatus();
            error = e.getMessage();
            out.onError(status(e).asRuntimeException());
        } catch (RuntimeException e) {
            status = 500;
            error = "internal error: " + e;
            out.onError(Status.INTERNAL.withDescription(error).asRuntimeException());
        }
        server.recordGrpc(method, status, null, null, null, 0, System.nanoTime() - start, error);
    }

    /** The protocol-neutral request; every error is INVALID_ARGUMENT naming the input. */
    static InferPayload payload(ModelInferRequest r) {
        int n = r.getInputsCount();
        if (n == 0) {
            throw bad("the request has no inputs");
        }
        boolean raw = r.getRawInputContentsCount() > 0;
        if (raw && r.getRawInputContentsCount() != n) {
            throw bad("raw_input_contents has " + r.getRawInputContentsCount() + " entries for " + n + " inputs");
        }
        long limit = (long) r.getSerializedSize() * 8 + 64;
        List<NamedTensor> inputs = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            ModelInferRequest.InferInputTensor in = r.getInputs(i);
            String what = "input '" + in.getName() + "'";
            ElementType type = Datatypes.parse(in.getDatatype(), what);
            int[] shape = new int[in.getShapeCount()];
            long count = 1;
            for (int d = 0; d < shape.length; d++) {
                long dim = in.getShape(d);
                if (dim < 0 || dim > Integer.MAX_VALUE) {
                    throw bad(what + " has shape " + in.getShapeList() + "; dimensions are non-negative");
                }
                shape[d] = (int) dim;
                count = count == 0 || dim == 0 ? 0 : count * dim;
                if (count > limit) {
                    throw bad(what + " has shape " + in.getShapeList() + ": more elements than the "
                            + r.getSerializedSize() + "-byte request holds");
                }
            }
            Tensor t;
            if (raw) {
                if (in.hasContents()) {
                    throw bad(what + " has contents although raw_input_contents is used");
                }
                try {
                    t = TensorBytes.fromLittleEndian(type, shape, r.getRawInputContents(i).asReadOnlyByteBuffer(),
                            what);
                } catch (InferoException e) {
                    throw bad(e.getMessage());
                }
            } else {
                t = contents(in.getContents(), type, shape, (int) count, what);
            }
            inputs.add(new NamedTensor(in.getName(), t));
        }
        List<InferPayload.RequestedOutput> outputs = new ArrayList<>();
        for (ModelInferRequest.InferRequestedOutputTensor o : r.getOutputsList()) {
            outputs.add(new InferPayload.RequestedOutput(o.getName(), true));
        }
        Map<String, Object> params = new LinkedHashMap<>();
        r.getParametersMap().forEach((k, v) -> params.put(k, parameter(v)));
        return new InferPayload(r.getId().isEmpty() ? null : r.getId(), inputs, outputs, true, params);
    }

    private static Object parameter(InferParameter p) {
        return switch (p.getParameterChoiceCase()) {
            case BOOL_PARAM -> p.getBoolParam();
            case INT64_PARAM -> p.getInt64Param();
            case STRING_PARAM -> p.getStringParam();
            case DOUBLE_PARAM -> p.getDoubleParam();
            case UINT64_PARAM -> p.getUint64Param();
            case PARAMETERCHOICE_NOT_SET -> "";
        };
    }

    private static Tensor contents(InferTensorContents c, ElementType type, int[] shape, int count, String what) {
        Tensor t = Tensor.allocate(type, shape);
        int got;
        switch (type) {
            case F32 -> {
                got = c.getFp32ContentsCount();
                check(got, count, what, "fp32_contents");
                for (int i = 0; i < count; i++) {
                    t.floats()[i] = c.getFp32Contents(i);
                }
            }
            case F64 -> {
                got = c.getFp64ContentsCount();
                check(got, count, what, "fp64_contents");
                for (int i = 0; i < count; i++) {
                    t.doubles()[i] = c.getFp64Contents(i);
                }
            }
            case I8, I16, I32 -> {
                check(c.getIntContentsCount(), count, what, "int_contents");
                for (int i = 0; i < count; i++) {
                    t.setLong(i, c.getIntContents(i));
                }
                Datatypes.convert(Tensor.of(c.getIntContentsList().stream().mapToLong(Integer::longValue).toArray(),
                        count), type, what);
            }
            case U8, U16, U32 -> {
                check(c.getUintContentsCount(), count, what, "uint_contents");
                for (int i = 0; i < count; i++) {
                    t.setLong(i, Integer.toUnsignedLong(c.getUintContents(i)));
                }
                Datatypes.convert(Tensor.of(c.getUintContentsList().stream().mapToLong(Integer::toUnsignedLong)
                        .toArray(), count), type, what);
            }
            case I64 -> {
                check(c.getInt64ContentsCount(), count, what, "int64_contents");
                for (int i = 0; i < count; i++) {
                    t.longs()[i] = c.getInt64Contents(i);
                }
            }
            case U64 -> {
                check(c.getUint64ContentsCount(), count, what, "uint64_contents");
                for (int i = 0; i < count; i++) {
                    t.longs()[i] = c.getUint64Contents(i);
                }
            }
            case BOOLEAN -> {
                check(c.getBoolContentsCount(), count, what, "bool_contents");
                for (int i = 0; i < count; i++) {
                    t.bytes()[i] = (byte) (c.getBoolContents(i) ? 1 : 0);
                }
            }
            default -> throw bad(what + " is " + Datatypes.name(type) + ", which travels only as raw_input_contents");
        }
        return t;
    }

    private static void check(int got, int expected, String what, String field) {
        if (got != expected) {
            throw bad(what + " needs " + expected + " values in contents." + field + " for its shape, got " + got);
        }
    }

    private static ServeException bad(String message) {
        return new ServeException(ServeException.Kind.BAD_REQUEST, message);
    }
}
