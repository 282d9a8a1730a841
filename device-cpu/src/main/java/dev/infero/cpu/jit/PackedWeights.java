package dev.infero.cpu.jit;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Weights packed once at compile time for the generated kernels (and {@code Gemv}), in native memory aligned to 64
 * bytes: one cache line, one AVX-512 vector, so every vector load of a packed panel reads one line. A Java array
 * cannot be aligned on request (its elements start 16 bytes past an object start that the collector may move). The
 * memory is freed when its segment is no longer reachable, that is with the compiled model that holds the kernel.
 * The one place that allocates such memory.
 */
public final class PackedWeights {
    /** Alignment of packed weights in bytes. */
    public static final long ALIGNMENT = 64;

    private PackedWeights() {
    }

    /** New zeroed aligned native memory of {@code bytes} bytes (at least 4). */
    public static MemorySegment allocate(long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("packed weights of " + bytes + " bytes");
        }
        return Arena.ofAuto().allocate(Math.max(Float.BYTES, bytes), ALIGNMENT);
    }

    /** An aligned native copy of {@code packed}. */
    public static MemorySegment of(float[] packed) {
        MemorySegment segment = allocate((long) Float.BYTES * packed.length);
        MemorySegment.copy(packed, 0, segment, ValueLayout.JAVA_FLOAT, 0, packed.length);
        return segment;
    }

    /** An aligned native copy of {@code packed}. */
    public static MemorySegment of(int[] packed) {
        MemorySegment segment = allocate((long) Integer.BYTES * packed.length);
        MemorySegment.copy(packed, 0, segment, ValueLayout.JAVA_INT, 0, packed.length);
        return segment;
    }
}
