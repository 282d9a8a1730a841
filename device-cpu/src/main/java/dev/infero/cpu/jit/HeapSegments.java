package dev.infero.cpu.jit;

import java.lang.foreign.MemorySegment;

/**
 * The heap segments generated kernels receive for Java arrays, made once per array rather than per call: the one
 * home of that rule, through which every {@link JitKernel}'s call goes
 * ({@code HeapSegments s = HeapSegments.current();} then {@code s.of(array)} for each array argument, after the
 * extent checks).
 *
 * <p>Why: a downcall takes its arrays as heap segments ({@link MemorySegment#ofArray}). Made in the call, each
 * segment is an allocation that only C2's escape analysis removes, and only when it inlines {@code ofArray} into the
 * kernel's call method; whether it does depends on the profile the method is compiled from (a call site not yet hot,
 * a JDK method already compiled on its own: "already compiled into a medium method"), so a kernel allocated per call
 * in some compile orders and not in others (docs/performance.md, "Allocation-free inference").
 *
 * <p>A table is an identity map from array to segment for one thread of one inference request: the request binds
 * its tables while it runs ({@link #bind}: the calling thread for the whole run, each worker around each parallel
 * round), so a lookup is a hash probe that never allocates once the request has seen its arrays (its buffers and
 * scratch, the model's packed weights and tables, its inputs): the first inference makes each segment, every later
 * one finds it. The table keeps the arrays it has seen reachable as long as the request keeps the table; a request
 * {@link #clear}s its tables when an input is replaced. A thread with no table bound (kernels run outside a request,
 * e.g. by tests) gets {@link #UNBOUND}, which makes the segment per call as before.
 *
 * <p>Not thread-safe: a table belongs to one thread at a time (the request's thread index).
 */
public final class HeapSegments {
    /** Makes a segment per call (no table): threads outside a request's run. */
    public static final HeapSegments UNBOUND = new HeapSegments(false);
    /** Entries past which a table starts over (a safety net: a request sees a fixed set of arrays). */
    static final int MAX_ENTRIES = 1 << 16;

    /** Per thread, the table bound to it (a holder, so that binding never allocates after the first time). */
    private static final ThreadLocal<Binding> BOUND = ThreadLocal.withInitial(Binding::new);

    private static final class Binding {
        HeapSegments table = UNBOUND;
    }

    private final boolean caching;
    private Object[] keys;
    private MemorySegment[] values;
    private int size;

    /** An empty table for one thread of one request. */
    public HeapSegments() {
        this(true);
    }

    private HeapSegments(boolean caching) {
        this.caching = caching;
        this.keys = new Object[caching ? 64 : 0];
        this.values = new MemorySegment[keys.length];
    }

    /** The table bound to the calling thread, {@link #UNBOUND} when none is. */
    public static HeapSegments current() {
        return BOUND.get().table;
    }

    /**
     * Binds {@code table} to the calling thread ({@code null}: none) and returns the table bound before, for the
     * caller to restore.
     */
    public static HeapSegments bind(HeapSegments table) {
        Binding b = BOUND.get();
        HeapSegments before = b.table;
        b.table = table == null ? UNBOUND : table;
        return before;
    }

    /** The segment of {@code array}. */
    public MemorySegment of(float[] array) {
        MemorySegment segment = find(array);
        return segment != null ? segment : remember(array, MemorySegment.ofArray(array));
    }

    /** The segment of {@code array}. */
    public MemorySegment of(int[] array) {
        MemorySegment segment = find(array);
        return segment != null ? segment : remember(array, MemorySegment.ofArray(array));
    }

    /** Arrays this table holds segments for. */
    public int size() {
        return size;
    }

    /** Forgets every array (their segments are made again on first use). */
    public void clear() {
        if (size > 0) {
            java.util.Arrays.fill(keys, null);
            java.util.Arrays.fill(values, null);
            size = 0;
        }
    }

    /** The segment this table holds for {@code array}; null when it holds none (or is {@link #UNBOUND}). */
    private MemorySegment find(Object array) {
        Object[] k = keys;
        if (k.length == 0) {
            return null;
        }
        int mask = k.length - 1;
        for (int i = slot(array, mask); ; i = i + 1 & mask) {
            Object key = k[i];
            if (key == array) {
                return values[i];
            }
            if (key == null) {
                return null;
            }
        }
    }

    /** {@code segment}, just made for {@code array}, added to the table ({@link #UNBOUND}: only returned). */
    private MemorySegment remember(Object array, MemorySegment segment) {
        return keys.length == 0 ? segment : add(array, segment);
    }

    private static int slot(Object array, int mask) {
        int h = System.identityHashCode(array);
        return (h ^ h >>> 16) * 0x9E3779B1 >>> 8 & mask;
    }

    /** Adds a segment for an array not in the table (the only allocating path: once per array). */
    private MemorySegment add(Object array, MemorySegment segment) {
        if (size >= MAX_ENTRIES) {
            clear();
        }
        if (2 * (size + 1) > keys.length) {
            Object[] oldKeys = keys;
            MemorySegment[] oldValues = values;
            keys = new Object[2 * oldKeys.length];
            values = new MemorySegment[keys.length];
            for (int i = 0; i < oldKeys.length; i++) {
                if (oldKeys[i] != null) {
                    put(oldKeys[i], oldValues[i]);
                }
            }
        }
        put(array, segment);
        size++;
        return segment;
    }

    private void put(Object array, MemorySegment segment) {
        int mask = keys.length - 1;
        int i = slot(array, mask);
        while (keys[i] != null) {
            i = i + 1 & mask;
        }
        keys[i] = array;
        values[i] = segment;
    }
}
