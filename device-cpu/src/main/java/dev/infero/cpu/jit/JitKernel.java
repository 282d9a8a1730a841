package dev.infero.cpu.jit;

import java.lang.foreign.MemorySegment;
import java.util.function.Supplier;

/**
 * Base of a generated kernel: its entry point in a {@link KernelCache} and the ISA it was generated for. Subclasses
 * hold a {@code static final} downcall handle for their signature
 * ({@link java.lang.foreign.Linker.Option#critical(boolean) critical}, so Java arrays pass as heap segments without
 * copies), and a call method that checks, in Java and before the downcall, that every element the code will touch
 * lies inside its array ({@link #checkRange}): generated code never receives an unchecked address. The segments
 * come from {@link HeapSegments#current()} ({@code s.of(array)}), made once per array, never per call.
 */
public abstract class JitKernel {
    protected final MemorySegment entry;
    protected final Jit.Isa isa;

    /** Generates (or finds) the code for {@code key} in {@code cache}. */
    protected JitKernel(KernelCache cache, Object key, Jit.Isa isa, Supplier<byte[]> generator) {
        this.entry = cache.entry(key, generator);
        this.isa = isa;
    }

    public Jit.Isa isa() {
        return isa;
    }

    /** The exec-type name of this kernel's implementation, as OpenVINO names it: {@code jit_avx512}. */
    public String implementation() {
        return "jit_" + isa.label();
    }

    /**
     * Throws unless elements [{@code first}, {@code end}) lie in an array of {@code length}: {@code first ≥ 0},
     * {@code end ≤ length} (an empty range anywhere in [0, length] passes).
     */
    public static void checkRange(String what, int length, long first, long end) {
        checkExtent(what, "an array", length, first, end);
    }

    /** As {@link #checkRange} for float elements {@code [first, end)} of a segment. */
    public static void checkSegmentRange(String what, java.lang.foreign.MemorySegment segment, long first,
                                         long end) {
        checkExtent(what, "a segment", segment.byteSize() / Float.BYTES, first, end);
    }

    private static void checkExtent(String what, String holder, long length, long first, long end) {
        if (first < 0 || end > length || first > end) {
            throw new IndexOutOfBoundsException("generated kernel would access " + what + " elements [" + first
                    + ", " + end + ") of " + holder + " of " + length);
        }
    }

    /**
     * Throws unless a {@code rows × cols} block starting at {@code offset} with rows {@code ld} apart lies in an
     * array of {@code length} (nothing is accessed when rows or cols is 0).
     */
    public static void checkMatrix(String what, int length, long offset, long rows, long cols, long ld) {
        if (rows <= 0 || cols <= 0) {
            return;
        }
        if (ld < cols && rows > 1) {
            throw new IllegalArgumentException(what + ": leading dimension " + ld + " below row length " + cols);
        }
        checkRange(what, length, offset, offset + (rows - 1) * ld + cols);
    }
}
