package dev.infero.cpu;

import dev.infero.cpu.parallel.WorkerPool;
import java.util.concurrent.ArrayBlockingQueue;

/**
 * The intra-op thread pools of a compiled model, one per stream. A running inference borrows one for its duration,
 * so at most {@code streams} inferences run their kernels in parallel and threads are never created per inference.
 */
final class WorkerPools implements AutoCloseable {
    private final ArrayBlockingQueue<WorkerPool> idle;
    private final WorkerPool[] all;
    private final int threadsPerPool;

    WorkerPools(int pools, int threadsPerPool, String name) {
        this.threadsPerPool = threadsPerPool;
        this.all = new WorkerPool[pools];
        this.idle = new ArrayBlockingQueue<>(pools);
        for (int i = 0; i < pools; i++) {
            all[i] = new WorkerPool(threadsPerPool, name + "-stream" + i);
            idle.add(all[i]);
        }
    }

    int threadsPerPool() {
        return threadsPerPool;
    }

    WorkerPool borrow() {
        try {
            return idle.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a free stream", e);
        }
    }

    void giveBack(WorkerPool pool) {
        idle.add(pool);
    }

    @Override
    public void close() {
        for (WorkerPool p : all) {
            p.close();
        }
    }
}
