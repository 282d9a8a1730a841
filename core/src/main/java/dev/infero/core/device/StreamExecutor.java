package dev.infero.core.device;

import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The streams of a compiled model: independent executors that each run one inference at a time, taking the next
 * started request from a shared queue, so {@code n} streams run up to {@code n} requests in parallel.
 *
 * <p>A stream is one worker thread today because the kernels are single-threaded; {@link #threadsPerStream()} is
 * each stream's share of {@code INFERENCE_NUM_THREADS}, which intra-op parallel kernels will use (the stream's own
 * thread plus a pool of that many threads). Threads are daemons, started on first use and stopped after a minute idle,
 * so a model that only ever runs synchronously costs no threads.
 */
public final class StreamExecutor implements Executor, AutoCloseable {
    private final ThreadPoolExecutor pool;
    private final int streams;
    private final int threadsPerStream;

    public StreamExecutor(String name, int streams, int threadsPerStream) {
        this.streams = streams;
        this.threadsPerStream = threadsPerStream;
        AtomicInteger next = new AtomicInteger();
        this.pool = new ThreadPoolExecutor(streams, streams, 60, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, name + "-stream-" + next.getAndIncrement());
            t.setDaemon(true);
            return t;
        });
        pool.allowCoreThreadTimeOut(true);
    }

    public int streams() {
        return streams;
    }

    public int threadsPerStream() {
        return threadsPerStream;
    }

    @Override
    public void execute(Runnable inference) {
        pool.execute(inference);
    }

    /** Stops accepting work; inferences already started finish. */
    @Override
    public void close() {
        pool.shutdown();
    }
}
