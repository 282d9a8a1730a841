package dev.infero.cpu.step;

import dev.infero.core.tensor.Tensor;
import dev.infero.cpu.parallel.WorkerPool;

/**
 * A step whose output is cut into parts that threads of the worker pool claim: the one home of the split of the
 * memory-bound steps (copies, element-wise ops and chains, resizes). A step says what its work is estimated to take
 * on one thread ({@link #estimatedNanos}, in the unit of {@link WorkerPool#threadsFor(long)}) and into how many parts
 * it can be cut at most ({@link #maxParts}); its {@link Parts} (one request's scratch) reads the call's arrays and runs
 * one part. Parts cover the output in order, so threads never write the same elements, and every part computes its
 * elements exactly as one thread computing all would (results are the same for any cut).
 *
 * <p>When the pool gives the step more than one thread, the output is cut into {@link #PARTS_PER_THREAD} parts per
 * thread, claimed one at a time ({@link WorkerPool#parallelItems}): a worker that starts late (woken from a park, or
 * descheduled on a busy machine) takes fewer parts instead of leaving the caller waiting for a fixed half.
 *
 * @param <P> the step's scratch
 */
public abstract class PartedStep<P extends PartedStep.Parts> implements Step<P> {
    /**
     * Parts per thread when the step splits: enough that a late worker costs at most a few per cent of the step, few
     * enough that each part (at least {@code minPollingTaskMicros / 4} of work, as {@code threadsFor} splits only
     * above that per thread) is long next to its claim, an atomic increment on a shared counter.
     */
    static final int PARTS_PER_THREAD = 4;

    /** One request's state for a parted step: the current call's arrays and cut, per-thread scratch by slot. */
    public abstract static class Parts {
        final WorkerPool.ItemTask task = this::runPart;
        int parts;

        /** Reads the current call's arrays. */
        protected abstract void bind(Tensor[] inputs, Tensor[] outputs);

        /** Forgets the call's arrays: a request keeps no tensor alive between runs. */
        protected abstract void release();

        /**
         * Computes part {@code part} of {@code parts} (output [total·part/parts, total·(part+1)/parts) in the step's
         * unit), on the thread that owns scratch slot {@code slot}.
         */
        protected abstract void part(int part, int parts, int slot);

        void runPart(int item, int slot) {
            part(item, parts, slot);
        }
    }

    @Override
    public abstract P newScratch(int threads);

    /** The estimated one-thread time of one run, in nanoseconds ({@link WorkerPool#estimatedNanos}). */
    protected abstract long estimatedNanos();

    /** The most parts the output can be cut into (its rows, its elements...): at least 1. */
    protected abstract long maxParts();

    /**
     * Parts of a step on float tensors: the call's first input {@code x}, its second {@code y} when the step has one
     * ({@code second}), and the output {@code z}, bound for the call and forgotten after it.
     */
    public abstract static class FloatParts extends Parts {
        private final boolean second;
        protected float[] x;
        protected float[] y;
        protected float[] z;

        protected FloatParts(boolean second) {
            this.second = second;
        }

        @Override
        protected final void bind(Tensor[] inputs, Tensor[] outputs) {
            x = inputs[0].floats();
            y = second ? inputs[1].floats() : null;
            z = outputs[0].floats();
        }

        @Override
        protected final void release() {
            x = null;
            y = null;
            z = null;
        }
    }

    @Override
    public final void run(Tensor[] inputs, Tensor[] outputs, P s, WorkerPool pool) {
        s.bind(inputs, outputs);
        int threads = pool.threadsFor(estimatedNanos());
        s.parts = (int) Math.max(1, Math.min((long) threads * PARTS_PER_THREAD, maxParts()));
        if (threads == 1 || s.parts == 1) {
            s.part(0, 1, 0);
        } else {
            pool.parallelItems(threads, s.parts, s.task);
        }
        s.release();
    }

    /** The step as {@code parts} parts run one after another on this thread (each part as a thread runs it). */
    final void runInParts(Tensor[] inputs, Tensor[] outputs, int parts) {
        P s = newScratch(1);
        s.bind(inputs, outputs);
        s.parts = parts;
        for (int p = 0; p < parts; p++) {
            s.runPart(p, 0);
        }
        s.release();
    }
}
