package dev.infero.cpu.step;

import dev.infero.core.tensor.Tensor;
import dev.infero.cpu.parallel.WorkerPool;

/**
 * One step's compiled work: chosen at compile time for the step's shapes, immutable, shared by all requests.
 * Per-request scratch memory comes from {@link #newScratch}.
 */
public interface Step {
    /** How the step runs, for per-layer counters, e.g. {@code gemm_f32} or {@code reference_f32}. */
    String execType();

    /** Scratch memory one request needs for this kernel (allocated once per request), or {@code null}. */
    default Object newScratch(int threads) {
        return null;
    }

    /**
     * Floats of a buffer this step needs only while it runs, or 0: one buffer, as large as the largest step's, serves
     * all steps of a request, so what one step writes there is still in cache when it reads it back (INT8 layers'
     * input codes).
     */
    default int transientFloats() {
        return 0;
    }

    /** {@link #newScratch(int)} using the request's transient buffer, of at least {@link #transientFloats()}. */
    default Object newScratch(int threads, float[] transientBuffer) {
        return newScratch(threads);
    }

    void run(Tensor[] inputs, Tensor[] outputs, Object scratch, WorkerPool pool);
}
