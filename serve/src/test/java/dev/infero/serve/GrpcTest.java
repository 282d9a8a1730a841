package dev.infero.serve;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.tensor.TensorBytes;
import dev.infero.core.types.ElementType;
import dev.infero.serve.grpc.proto.GRPCInferenceServiceGrpc;
import dev.infero.serve.grpc.proto.InferTensorContents;
import dev.infero.serve.grpc.proto.ModelInferRequest;
import dev.infero.serve.grpc.proto.ModelInferResponse;
import dev.infero.serve.grpc.proto.ModelMetadataRequest;
import dev.infero.serve.grpc.proto.ModelMetadataResponse;
import dev.infero.serve.grpc.proto.ModelReadyRequest;
import dev.infero.serve.grpc.proto.ServerLiveRequest;
import dev.infero.serve.grpc.proto.ServerMetadataRequest;
import dev.infero.serve.grpc.proto.ServerReadyRequest;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The KServe v2 gRPC service with a grpc-java client: health, metadata, inference with raw and typed contents. */
class GrpcTest {
    @TempDir
    static Path dir;

    static InferoServer server;
    static ManagedChannel channel;
    static GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub stub;
    static Path conv;
    static Path integer;

    @BeforeAll
    static void start() {
        conv = TestModels.conv(dir.resolve("conv.onnx"), 5);
        integer = TestModels.integer(dir.resolve("int/1/integer.onnx"));
        server = InferoServer.start(List.of(ModelConfig.of("conv", conv), ModelConfig.of("integer",
                dir.resolve("int"))), ServeOptions.defaults().withPorts(-1, 0).withLimits(1 << 20, 16, 30_000)
                .withPollSeconds(0));
        channel = ManagedChannelBuilder.forAddress("127.0.0.1", server.grpcPort()).usePlaintext().build();
        stub = GRPCInferenceServiceGrpc.newBlockingStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS);
    }

    @AfterAll
    static void stop() throws InterruptedException {
        if (channel != null) {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        if (server != null) {
            server.close();
        }
    }

    @Test
    void healthAndMetadata() {
        assertTrue(stub.serverLive(ServerLiveRequest.getDefaultInstance()).getLive());
        assertTrue(stub.serverReady(ServerReadyRequest.getDefaultInstance()).getReady());
        assertEquals("infero", stub.serverMetadata(ServerMetadataRequest.getDefaultInstance()).getName());
        assertTrue(stub.modelReady(ModelReadyRequest.newBuilder().setName("conv").build()).getReady());
        assertTrue(stub.modelReady(ModelReadyRequest.newBuilder().setName("conv").setVersion("1").build())
                .getReady());
        ModelMetadataResponse m = stub.modelMetadata(ModelMetadataRequest.newBuilder().setName("conv").build());
        assertEquals(List.of("1"), m.getVersionsList());
        assertEquals("x", m.getInputs(0).getName());
        assertEquals("FP32", m.getInputs(0).getDatatype());
        assertEquals(List.of(1L, 3L, 8L, 8L), m.getInputs(0).getShapeList());
        assertEquals(List.of("y", "s"), m.getOutputsList().stream().map(ModelMetadataResponse.TensorMetadata::getName)
                .toList());
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                () -> stub.modelMetadata(ModelMetadataRequest.newBuilder().setName("nope").build()));
        assertEquals(Status.Code.NOT_FOUND, e.getStatus().getCode());
        StatusRuntimeException v = assertThrows(StatusRuntimeException.class,
                () -> stub.modelReady(ModelReadyRequest.newBuilder().setName("conv").setVersion("4").build()));
        assertEquals(Status.Code.NOT_FOUND, v.getStatus().getCode());
    }

    private static ModelInferRequest.InferInputTensor.Builder input(String name, String datatype, int... shape) {
        ModelInferRequest.InferInputTensor.Builder b = ModelInferRequest.InferInputTensor.newBuilder().setName(name)
                .setDatatype(datatype);
        for (int d : shape) {
            b.addShape(d);
        }
        return b;
    }

    private static Tensor output(ModelInferResponse r, int i) {
        ModelInferResponse.InferOutputTensor o = r.getOutputs(i);
        int[] shape = o.getShapeList().stream().mapToInt(Long::intValue).toArray();
        return TensorBytes.fromLittleEndian(Datatypes.parse(o.getDatatype(), o.getName()), shape,
                r.getRawOutputContents(i).asReadOnlyByteBuffer(), o.getName());
    }

    @Test
    void rawContentsInferenceEqualsLocalBitForBit() {
        Tensor x = TestModels.randomF32(21, 1, 3, 8, 8);
        List<Tensor> expected = TestModels.local(conv, Map.of("x", x));
        ModelInferResponse r = stub.modelInfer(ModelInferRequest.newBuilder().setModelName("conv").setId("g1")
                .addInputs(input("x", "FP32", 1, 3, 8, 8))
                .addRawInputContents(ByteString.copyFrom(TensorBytes.toLittleEndian(x))).build());
        assertEquals("g1", r.getId());
        assertEquals("1", r.getModelVersion());
        assertEquals(2, r.getOutputsCount());
        assertEquals("y", r.getOutputs(0).getName());
        assertArrayEquals(expected.get(0).floats(), output(r, 0).floats());
        assertArrayEquals(expected.get(1).floats(), output(r, 1).floats());
    }

    @Test
    void typedContentsAndOutputSelection() {
        Tensor x = TestModels.randomF32(22, 1, 3, 8, 8);
        InferTensorContents.Builder c = InferTensorContents.newBuilder();
        for (float f : x.floats()) {
            c.addFp32Contents(f);
        }
        ModelInferResponse r = stub.modelInfer(ModelInferRequest.newBuilder().setModelName("conv")
                .setModelVersion("1").addInputs(input("x", "FP32", 1, 3, 8, 8).setContents(c))
                .addOutputs(ModelInferRequest.InferRequestedOutputTensor.newBuilder().setName("s")).build());
        assertEquals(1, r.getOutputsCount());
        assertEquals("s", r.getOutputs(0).getName());
        assertArrayEquals(TestModels.local(conv, Map.of("x", x)).get(1).floats(), output(r, 0).floats());

        ModelInferResponse ints = stub.modelInfer(ModelInferRequest.newBuilder().setModelName("integer")
                .addInputs(input("a", "INT32", 1, 4).setContents(InferTensorContents.newBuilder()
                        .addAllIntContents(List.of(1, 2, -3, 4)))).build());
        Tensor b = output(ints, 0);
        assertEquals(ElementType.I64, b.type());
        assertArrayEquals(new long[] {4, 7, -8, 13}, b.longs());
    }

    @Test
    void errorsMapToGrpcCodesAndTheServerKeepsServing() {
        StatusRuntimeException unknown = assertThrows(StatusRuntimeException.class, () -> stub.modelInfer(
                ModelInferRequest.newBuilder().setModelName("nope").addInputs(input("x", "FP32", 1))
                        .addRawInputContents(ByteString.copyFrom(new byte[4])).build()));
        assertEquals(Status.Code.NOT_FOUND, unknown.getStatus().getCode());
        StatusRuntimeException shape = assertThrows(StatusRuntimeException.class, () -> stub.modelInfer(
                ModelInferRequest.newBuilder().setModelName("conv").addInputs(input("x", "FP32", 1, 3, 8, 4))
                        .addRawInputContents(ByteString.copyFrom(new byte[4 * 96])).build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, shape.getStatus().getCode());
        assertTrue(shape.getStatus().getDescription().contains("shape [1, 3, 8, 4]"));
        StatusRuntimeException bytes = assertThrows(StatusRuntimeException.class, () -> stub.modelInfer(
                ModelInferRequest.newBuilder().setModelName("conv").addInputs(input("x", "FP32", 1, 3, 8, 8))
                        .addRawInputContents(ByteString.copyFrom(new byte[10])).build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, bytes.getStatus().getCode());
        StatusRuntimeException type = assertThrows(StatusRuntimeException.class, () -> stub.modelInfer(
                ModelInferRequest.newBuilder().setModelName("integer").addInputs(input("a", "FP32", 1, 4)
                        .setContents(InferTensorContents.newBuilder().addAllFp32Contents(List.of(1f, 2.5f, 3f, 4f))))
                        .build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, type.getStatus().getCode());
        StatusRuntimeException tooLarge = assertThrows(StatusRuntimeException.class, () -> stub.modelInfer(
                ModelInferRequest.newBuilder().setModelName("conv").addInputs(input("x", "FP32", 1, 3, 8, 8))
                        .addRawInputContents(ByteString.copyFrom(new byte[2 << 20])).build()));
        assertEquals(Status.Code.RESOURCE_EXHAUSTED, tooLarge.getStatus().getCode());
        assertFalse(channel.isShutdown());
        Tensor x = TestModels.randomF32(23, 1, 3, 8, 8);
        ModelInferResponse r = stub.modelInfer(ModelInferRequest.newBuilder().setModelName("conv")
                .addInputs(input("x", "FP32", 1, 3, 8, 8))
                .addRawInputContents(ByteString.copyFrom(ByteBuffer.wrap(TensorBytes.toLittleEndian(x)))).build());
        assertArrayEquals(TestModels.local(conv, Map.of("x", x)).get(0).floats(), output(r, 0).floats());
    }
}
