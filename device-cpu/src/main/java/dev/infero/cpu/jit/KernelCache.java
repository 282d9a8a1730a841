package dev.infero.cpu.jit;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Generated functions by key, each generated once: a compiled model owns one (bound with {@link #compiling} while
 * its kernels are built, closed with the model, which unmaps its code); kernels built outside a compilation (tests,
 * benchmarks) share {@link #shared()}, which lives as long as the process. Keys are records naming everything the
 * code depends on (ISA, tile, variant flags), so equal keys mean identical code. Thread-safe.
 */
public final class KernelCache implements AutoCloseable {
    private static final KernelCache SHARED = new KernelCache("shared");
    private static final ScopedValue<KernelCache> COMPILING = ScopedValue.newInstance();

    private final String owner;
    private final Map<Object, CodeBuffer> code = new ConcurrentHashMap<>();
    private volatile boolean closed;

    /** @param owner for messages, e.g. the model's name */
    public KernelCache(String owner) {
        this.owner = owner;
    }

    /** The process-wide cache, for kernels built outside a model's compilation. */
    public static KernelCache shared() {
        return SHARED;
    }

    /** The cache of the compilation running on this thread, else {@link #shared()}. */
    public static KernelCache current() {
        return COMPILING.isBound() ? COMPILING.get() : SHARED;
    }

    /** Runs {@code work} (a model's compilation) with {@code cache} as {@link #current()}. */
    public static <T> T compiling(KernelCache cache, Supplier<T> work) {
        return ScopedValue.where(COMPILING, cache).call(work::get);
    }

    /**
     * The entry point of the function for {@code key}, generating it with {@code generator} (machine code, see
     * {@link Assembler#code()}) the first time.
     */
    public MemorySegment entry(Object key, Supplier<byte[]> generator) {
        if (closed) {
            throw new IllegalStateException("kernel cache of " + owner + " is closed");
        }
        return code.computeIfAbsent(key, k -> CodeBuffer.of(generator.get())).entry();
    }

    /** Functions generated so far. */
    public int size() {
        return code.size();
    }

    /** Bytes of executable memory mapped. */
    public long mappedBytes() {
        return code.values().stream().mapToLong(CodeBuffer::mappedBytes).sum();
    }

    /**
     * Unmaps every function (later calls through them throw {@link IllegalStateException}). The shared cache is
     * never closed.
     */
    @Override
    public void close() {
        if (this == SHARED) {
            return;
        }
        closed = true;
        List<RuntimeException> failures = new ArrayList<>();
        for (CodeBuffer b : code.values()) {
            try {
                b.close();
            } catch (RuntimeException e) {
                failures.add(e);
            }
        }
        if (!failures.isEmpty()) {
            throw new IllegalStateException("generated code of " + owner + " still running while closed",
                    failures.getFirst());
        }
    }
}
