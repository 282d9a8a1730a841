package dev.infero.cpu.step;

import dev.infero.cpu.kernels.ActivationQuantizer;

/**
 * A step that can write its output as the codes of the FakeQuantize after it instead of the values, when that
 * FakeQuantize's only readers are INT8 layers that take the codes as they are (see {@code ExecutionPlan}): the tensor
 * between them then holds integer-valued codes and nobody quantizes it again.
 *
 * @param <S> the step's scratch memory
 */
public interface CodesWriter<S> extends Step<S> {
    boolean canWriteCodes();

    /** This step writing each output channel's codes of {@code perChannel}. */
    CodesWriter<S> writingCodes(ActivationQuantizer[] perChannel);
}
