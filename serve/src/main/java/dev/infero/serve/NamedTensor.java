package dev.infero.serve;

import dev.infero.core.tensor.Tensor;

/** A request or response tensor with its name (protocol-neutral: both REST and gRPC requests become these). */
public record NamedTensor(String name, Tensor tensor) {
}
