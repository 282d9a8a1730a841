package dev.infero.cpu;

import dev.infero.core.tensor.Tensor;
import dev.infero.cpu.kernels.ActivationQuantizer;
import dev.infero.cpu.parallel.WorkerPool;
import java.util.function.IntConsumer;
import jdk.incubator.vector.FloatVector;

/**
 * A FakeQuantize whose every reader takes integer codes rather than the fake-quantized values: writes
 * {@code level − zero point} (integer-valued floats), which a depthwise convolution with its weights multiplied by the
 * quantization step turns into exactly what it would compute from the values. No divisions, unlike the float op.
 */
final class QuantizeKernel implements Kernel {
    private static final int MIN_PER_THREAD = 4096;

    private final ActivationQuantizer quantizer;
    private final int size;

    QuantizeKernel(ActivationQuantizer quantizer, int size) {
        this.quantizer = quantizer;
        this.size = size;
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
            int per = (k.size + parts - 1) / parts;
            int from = Math.min(k.size, t * per);
            k.quantizer.quantize(x, from, q, from, Math.min(k.size, from + per) - from);
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
        task.parts = Math.max(1, Math.min(pool.threads(), size / MIN_PER_THREAD));
        pool.parallelFor(task.parts, task);
    }
}
