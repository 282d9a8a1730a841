package dev.infero.cpu.jit;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * Machine code in executable memory, through the FFM API only: the pages are mapped readable and writable
 * ({@code mmap}), the code is copied in, then the pages are switched to readable and executable ({@code mprotect}) —
 * never writable and executable at once — and unmapped ({@code munmap}) when the buffer is closed.
 *
 * <p>The mapping belongs to a shared {@link Arena}: {@link #entry} segments carry its lifetime, so a downcall through
 * a closed buffer throws {@link IllegalStateException} instead of jumping into unmapped memory, and closing waits for
 * no call: FFM refuses to close an arena while a downcall holds it (the close then throws and is retried by the owner,
 * see {@link #close}).
 */
public final class CodeBuffer implements AutoCloseable {
    private static final int PROT_READ = 1, PROT_WRITE = 2, PROT_EXEC = 4;
    private static final int MAP_PRIVATE = 2, MAP_ANONYMOUS = 0x20;
    private static final long PAGE = 4096;
    private static final MethodHandle MMAP;
    private static final MethodHandle MPROTECT;
    private static final MethodHandle MUNMAP;

    static {
        Linker linker = Linker.nativeLinker();
        var libc = linker.defaultLookup();
        MMAP = linker.downcallHandle(libc.find("mmap").orElseThrow(), FunctionDescriptor.of(ValueLayout.JAVA_LONG,
                ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT,
                ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG));
        MPROTECT = linker.downcallHandle(libc.find("mprotect").orElseThrow(), FunctionDescriptor.of(
                ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT));
        MUNMAP = linker.downcallHandle(libc.find("munmap").orElseThrow(), FunctionDescriptor.of(ValueLayout.JAVA_INT,
                ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG));
    }

    private final Arena arena;
    private final MemorySegment pages;
    private final int[] offsets;

    private CodeBuffer(Arena arena, MemorySegment pages, int[] offsets) {
        this.arena = arena;
        this.pages = pages;
        this.offsets = offsets;
    }

    /** One function's code in its own executable mapping. */
    public static CodeBuffer of(byte[] code) {
        return of(new byte[][] {code});
    }

    /**
     * Several functions in one mapping, each starting at a 64-byte boundary; {@link #entry(int)} {@code i} is the
     * i-th.
     */
    public static CodeBuffer of(byte[][] functions) {
        int[] offsets = new int[functions.length];
        long total = 0;
        for (int i = 0; i < functions.length; i++) {
            offsets[i] = (int) total;
            total = (total + functions[i].length + 63) / 64 * 64;
            if (total > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("generated code larger than 2 GB");
            }
        }
        long size = Math.max(PAGE, (total + PAGE - 1) / PAGE * PAGE);
        long address;
        try {
            address = (long) MMAP.invokeExact(0L, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0L);
        } catch (Throwable e) {
            throw new IllegalStateException("mmap failed", e);
        }
        if (address == -1L || address == 0L) {
            throw new IllegalStateException("mmap of " + size + " bytes for generated code failed");
        }
        Arena arena = Arena.ofShared();
        MemorySegment pages = MemorySegment.ofAddress(address).reinterpret(size, arena, s -> unmap(s.address(), size));
        for (int i = 0; i < functions.length; i++) {
            MemorySegment.copy(functions[i], 0, pages, ValueLayout.JAVA_BYTE, offsets[i], functions[i].length);
        }
        int rc;
        try {
            rc = (int) MPROTECT.invokeExact(address, size, PROT_READ | PROT_EXEC);
        } catch (Throwable e) {
            arena.close();
            throw new IllegalStateException("mprotect failed", e);
        }
        if (rc != 0) {
            arena.close();
            throw new IllegalStateException("mprotect(PROT_READ|PROT_EXEC) of generated code failed");
        }
        return new CodeBuffer(arena, pages, offsets);
    }

    private static void unmap(long address, long size) {
        try {
            int rc = (int) MUNMAP.invokeExact(address, size);
            assert rc == 0;
        } catch (Throwable e) {
            throw new IllegalStateException("munmap failed", e);
        }
    }

    /** The entry point of the first function, to pass as the target of a downcall handle. */
    public MemorySegment entry() {
        return entry(0);
    }

    /** The entry point of function {@code i}: a zero-length segment of this buffer's lifetime. */
    public MemorySegment entry(int i) {
        return pages.asSlice(offsets[i], 0);
    }

    /** Bytes mapped. */
    public long mappedBytes() {
        return pages.byteSize();
    }

    public boolean isAlive() {
        return arena.scope().isAlive();
    }

    /**
     * Unmaps the code. Calls in flight keep the arena: FFM then refuses to close it ({@link IllegalStateException}),
     * and the caller must not free the buffer before its calls are done. Idempotent.
     */
    @Override
    public void close() {
        if (arena.scope().isAlive()) {
            arena.close();
        }
    }
}
