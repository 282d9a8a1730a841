package dev.infero.serve;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.tensor.TensorBytes;
import dev.infero.serve.client.InferoClient;
import dev.infero.serve.grpc.proto.GRPCInferenceServiceGrpc;
import dev.infero.serve.grpc.proto.ModelInferRequest;
import dev.infero.serve.grpc.proto.ModelInferResponse;
import dev.infero.testing.SharedData;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The shared BlazeFace model served over REST (JSON and binary) and gRPC: outputs equal local inference bit for bit. */
class BlazeFaceServeTest {
    @Test
    void blazeFaceOverEveryProtocolEqualsLocalInference() throws Exception {
        Path model = SharedData.require("models/face/blazeface.onnx");
        long start = System.nanoTime();
        try (InferoServer server = InferoServer.start(List.of(ModelConfig.of("face", model)),
                ServeOptions.defaults().withPorts(0, 0).withPollSeconds(0))) {
            long startMillis = (System.nanoTime() - start) / 1_000_000;
            InferoClient client = TestServers.client(server);
            InferoClient.ModelMetadata meta = client.modelMetadata("face", null);
            String input = meta.inputs().get(0).name();
            assertArrayEquals(new long[] {1, 3, 128, 128}, meta.inputs().get(0).shape());
            Tensor x = TestModels.randomF32(41, 1, 3, 128, 128);
            List<Tensor> expected = TestModels.local(model, Map.of(input, x));
            for (InferoClient.Encoding encoding : InferoClient.Encoding.values()) {
                InferoClient.Result r = client.infer("face", null, Map.of(input, x), encoding);
                int i = 0;
                for (Tensor out : r.outputs().values()) {
                    assertArrayEquals(expected.get(i).shape(), out.shape());
                    assertArrayEquals(expected.get(i).floats(), out.floats(), encoding + " output " + i);
                    i++;
                }
                assertEquals(expected.size(), i);
            }
            ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", server.grpcPort()).usePlaintext()
                    .build();
            try {
                ModelInferResponse r = GRPCInferenceServiceGrpc.newBlockingStub(channel)
                        .withDeadlineAfter(60, TimeUnit.SECONDS)
                        .modelInfer(ModelInferRequest.newBuilder().setModelName("face")
                                .addInputs(ModelInferRequest.InferInputTensor.newBuilder().setName(input)
                                        .setDatatype("FP32").addAllShape(List.of(1L, 3L, 128L, 128L)))
                                .addRawInputContents(ByteString.copyFrom(TensorBytes.toLittleEndian(x))).build());
                for (int i = 0; i < expected.size(); i++) {
                    assertArrayEquals(TensorBytes.toLittleEndian(expected.get(i)),
                            r.getRawOutputContents(i).toByteArray(), "gRPC output " + i);
                }
            } finally {
                channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
            assertTrue(startMillis > 0);
            System.out.println("BlazeFace server start (in a warm test JVM): " + startMillis + " ms");
        }
    }
}
