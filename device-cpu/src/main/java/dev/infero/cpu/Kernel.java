package dev.infero.cpu;

import dev.infero.core.tensor.Tensor;
import dev.infero.cpu.parallel.WorkerPool;

/**
 * One step's compiled work: chosen at compile time for the step's shapes, immutable, shared by all requests.
 * Per-request scratch memory comes from {@link #newScratch}.
 */
interface Kernel {
    /** How the step runs, for per-layer counters, e.g. {@code gemm_f32} or {@code reference_f32}. */
    String execType();

    /** Scratch memory one request needs for this kernel (allocated once per request), or {@code null}. */
    default Object newScratch(int threads) {
        return null;
    }

    void run(Tensor[] inputs, Tensor[] outputs, Object scratch, WorkerPool pool);
}
