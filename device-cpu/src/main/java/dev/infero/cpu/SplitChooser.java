package dev.infero.cpu;

/**
 * Per step of one request's static plan, whether it may split across the worker pool or runs whole on the calling
 * thread, decided by measuring both. The kernels' own estimate ({@code WorkerPool.threadsFor}: FLOPs and bytes at
 * assumed rates, a fixed hand-off cost) cannot know what a split costs on this machine at this moment: a late worker,
 * a core shared with other processes, an uneven split or data left in the other core's cache. So from time to time a
 * request explores: for {@link #SAMPLES} inferences per side, inferences alternate between every step whole
 * ({@code limit 1}) and every step split as its kernel likes (so load that comes and goes falls on both), and each
 * step's wall time is taken. Then each step keeps the split only where the median split time is below
 * {@link #MARGIN} of the median whole time (a split also spends the other core's time, and the caches' transfer is
 * paid partly by the next step), so 2 threads do not run a step slower than 1. Exploring starts after
 * {@link #WARM_UP} inferences (compiled code) and repeats every {@link #PERIOD}, following a machine whose load
 * changes. Allocation-free; opt-in ({@link #ENABLED}).
 */
final class SplitChooser {
    /**
     * Whether requests on pools of more than one thread choose per step (see the class comment): off unless
     * {@code -Dinfero.cpu.adaptiveSplit=true}. On a machine loaded 12-17 on 2 cores it made YOLOX-nano's 2-thread
     * median 2-3x slower (most splits measured no faster and were dropped, and a process with one runnable thread
     * gets half the CPU share of one with two) while BlazeFace and FaceMesh moved within the noise
     * (docs/performance.md, "Step splits"); it needs measuring on an idle machine before it can be the default.
     */
    static final boolean ENABLED = Boolean.parseBoolean(System.getProperty("infero.cpu.adaptiveSplit", "false"));
    /** Timed runs per side and step in one exploration. */
    static final int SAMPLES = 8;
    /** Inferences before the first exploration: the steps' code is compiled by then. */
    static final int WARM_UP = 32;
    /** Inferences from one exploration's start to the next. */
    static final int PERIOD = 512;
    /** A split is kept when its median time is below this share of the whole step's. */
    static final double MARGIN = 0.95;

    private final int threads;
    /** Per step, the samples of the current exploration: {@link #SAMPLES} whole, then {@link #SAMPLES} split. */
    private final long[][] samples;
    /** Per step, whether it may split (the last exploration's verdict; true until the first one). */
    private final boolean[] split;
    /** Inferences into the current period; negative during the warm-up. */
    private int inference = -WARM_UP;

    SplitChooser(int steps, int threads) {
        this.threads = threads;
        this.samples = new long[steps][2 * SAMPLES];
        this.split = new boolean[steps];
        java.util.Arrays.fill(split, true);
    }

    /** Whether this inference's step times are wanted ({@link #record}). */
    boolean exploring() {
        return inference >= 0 && inference < 2 * SAMPLES;
    }

    /** The thread limit for step {@code s} in this inference. */
    int limit(int s) {
        if (exploring()) {
            return splitSide(s) ? threads : 1;
        }
        return split[s] ? threads : 1;
    }

    /** Step {@code s} took {@code nanos} in this (exploring) inference. */
    void record(int s, long nanos) {
        samples[s][(splitSide(s) ? SAMPLES : 0) + inference / 2] = nanos;
    }

    /** The inference is over: on to the next, deciding when an exploration is complete. */
    void endInference() {
        inference++;
        if (inference == 2 * SAMPLES) {
            for (int s = 0; s < split.length; s++) {
                long whole = median(samples[s], 0);
                long parts = median(samples[s], SAMPLES);
                split[s] = parts < MARGIN * whole;
            }
        } else if (inference >= PERIOD) {
            inference = 0;
        }
    }

    /**
     * Whether step {@code s} is split in this exploring inference: every step alike, inferences alternating. (With
     * neighbouring steps on opposite sides, the worker parked during each whole step on a busy machine, and every split
     * paid a wake-up that it does not pay among other splits: most splits measured slower and were dropped.)
     */
    private boolean splitSide(int s) {
        return (inference & 1) != 0;
    }

    /** Whether step {@code s} may split now (for tests and counters). */
    boolean splits(int s) {
        return split[s];
    }

    /** The lower median of {@link #SAMPLES} values from {@code from}, sorted in place (insertion sort, no allocation). */
    private static long median(long[] a, int from) {
        for (int i = from + 1; i < from + SAMPLES; i++) {
            long v = a[i];
            int j = i - 1;
            while (j >= from && a[j] > v) {
                a[j + 1] = a[j];
                j--;
            }
            a[j + 1] = v;
        }
        return a[from + (SAMPLES - 1) / 2];
    }
}
