package dev.infero.cpu.step;

import dev.infero.core.tensor.Tensor;
import dev.infero.cpu.parallel.WorkerPool;

/**
 * One step's compiled work: chosen at compile time for the step's shapes, immutable, shared by all requests.
 * Per-request scratch memory of type {@code S} comes from {@link #newScratch} ({@link Void} for steps that need none);
 * a request holds each step {@link #bind bound} to its scratch.
 *
 * @param <S> the scratch memory one request needs for this step
 */
public interface Step<S> {
    /** How the step runs, for per-layer counters. */
    ExecType execType();

    /** Scratch memory one request needs for this step (allocated once per request), or {@code null}. */
    default S newScratch(int threads) {
        return null;
    }

    /**
     * Floats of a buffer this step needs only while it runs, on pools of {@code threads} threads, or 0: one buffer, as
     * large as the largest step's, serves all steps of a request, so what one step writes there is still in cache
     * when it reads it back (INT8 layers' input codes); steps that keep one part of it per thread (the blocked
     * Winograd convolution's transformed tiles) ask for that many parts.
     */
    default int transientFloats(int threads) {
        return 0;
    }

    /**
     * {@link #newScratch(int)} using the request's transient buffer, of at least {@link #transientFloats(int)} for
     * these {@code threads}.
     */
    default S newScratch(int threads, float[] transientBuffer) {
        return newScratch(threads);
    }

    /** Runs the step on one request's {@code scratch} (from {@link #newScratch}). */
    void run(Tensor[] inputs, Tensor[] outputs, S scratch, WorkerPool pool);

    /**
     * This step writing its output 0 at element {@code offset} of the output array it is given, or {@code null} when
     * it cannot. The output array is then a larger tensor's, of which this output is one contiguous block: an input
     * of a Concat placed in the Concat's output by the memory plan ({@code cpu.InPlaceConcat}). Steps that read a
     * residual at the output's indexes, or whose kernels index the output from 0 (the depthwise window kernel writing
     * codes), answer {@code null}; writing at offset 0
     * needs no answer (the output is a prefix of the array, as with any reused buffer).
     */
    default Step<S> writingAt(int offset) {
        return null;
    }

    /**
     * The input whose array this step may write its output 0 into, or -1 (the default): a step answers only when
     * every output element depends on the input element at the same index alone and is written after that element
     * is read (element-wise kernels), so the memory plan may hand the input's array on to the output when this step
     * is its last reader ({@code cpu.MemoryPlan}). Saves a buffer and the cache misses of writing a cold one.
     */
    default int inPlaceInput() {
        return -1;
    }

    /** This step with one request's scratch. */
    default Bound<S> bind(int threads, float[] transientBuffer) {
        return new Bound<>(this, newScratch(threads, transientBuffer));
    }

    /** A step with the scratch of one request: what the request runs. */
    record Bound<S>(Step<S> step, S scratch) {
        public void run(Tensor[] inputs, Tensor[] outputs, WorkerPool pool) {
            step.run(inputs, outputs, scratch, pool);
        }
    }
}
