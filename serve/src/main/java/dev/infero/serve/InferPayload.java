package dev.infero.serve;

import java.util.List;
import java.util.Map;

/**
 * A parsed inference request, the same for REST and gRPC.
 *
 * @param id the client's request id, echoed in the response ({@code null}: none)
 * @param inputs the input tensors in the request's order
 * @param outputs the requested outputs; empty: every output of the model
 * @param binaryOutputs REST: whether outputs not listed in {@code outputs} are returned as binary data
 *     ({@code binary_data_output} request parameter)
 * @param parameters the request parameters (echoed nowhere; kept for logs)
 */
public record InferPayload(String id, List<NamedTensor> inputs, List<RequestedOutput> outputs, boolean binaryOutputs,
        Map<String, Object> parameters) {
    /** An output the client asks for, and (REST) whether it wants it as binary data. */
    public record RequestedOutput(String name, boolean binary) {
    }
}
