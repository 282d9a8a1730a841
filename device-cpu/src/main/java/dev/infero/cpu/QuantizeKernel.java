package dev.infero.cpu;

import dev.infero.core.tensor.Tensor;
import dev.infero.cpu.kernels.ActivationQuantizer;
import dev.infero.cpu.parallel.WorkerPool;
import java.util.function.IntConsumer;
import jdk.incubator.vector.FloatVector;

/**
 * A FakeQuantize whose every reader takes integer codes rather than the fake-quantized values: writes
 * {@code level − zero point} (integer-valued floats) with each channel's range, which a depthwise convolution with
 * its weights multiplied by each channel's quantization step turns into what it would compute from the values. No
 * divisions, unlike the float op.
 */
final class QuantizeKernel implements Kernel {
    private static final int MIN_PER_THREAD = 4096;

    /** One per channel. */
    private final ActivationQuantizer[] quantizers;
    private final int planes;
    private final int planeSize;

    /** For NCHW data of {@code shape}. */
    QuantizeKernel(ActivationQuantizer[] quantizers, int[] shape) {
        this.quantizers = quantizers;
        this.planes = shape[0] * shape[1];
        this.planeSize = shape[2] * shape[3];
    }

    @Override
    public String execType() {
        return "quantize_vector" + FloatVector.SPECIES_PREFERRED.vectorBitSize() + "_I8";
    }

    /** The per-range task, built once per request so runs allocate nothing. */
    private static final class Task implements IntConsumer {
        float[] x;
        float[] q;
        int parts;
        QuantizeKernel k;

        @Override
        public void accept(int t) {
            for (int p = t; p < k.planes; p += parts) {
                k.quantizers[p % k.quantizers.length].quantize(x, p * k.planeSize, q, p * k.planeSize, k.planeSize);
            }
        }
    }

    @Override
    public Object newScratch(int threads) {
        Task task = new Task();
        task.k = this;
        return task;
    }

    @Override
    public void run(Tensor[] inputs, Tensor[] outputs, Object scratch, WorkerPool pool) {
        Task task = scratch != null ? (Task) scratch : (Task) newScratch(pool.threads());
        task.x = inputs[0].floats();
        task.q = outputs[0].floats();
        task.parts = Math.max(1, Math.min(Math.min(pool.threads(), planes), planes * planeSize / MIN_PER_THREAD));
        pool.parallelFor(task.parts, task);
    }
}
