/**
 * The KServe v2 {@code GRPCInferenceService} of {@code infero serve} (grpc-java); the protocol's messages are generated
 * from {@code src/main/proto/grpc_service.proto} into {@code dev.infero.serve.grpc.proto}.
 */
package dev.infero.serve.grpc;
