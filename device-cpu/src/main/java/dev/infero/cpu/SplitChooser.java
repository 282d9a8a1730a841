package dev.infero.cpu;

import dev.infero.cpu.parallel.WorkerPool;

/**
 * Per step of one request's static plan, whether it may split across the worker pool at all, from the step's
 * measured one-thread time against what a split costs. The kernels' own rule ({@code WorkerPool.threadsFor}) works
 * from an estimate (FLOPs and bytes at assumed rates) and a fixed hand-off; on small models that estimate is often
 * several times the real time, and the hand-off leaves out what costs most: the worker reads its half of the input
 * from the calling core's cache and writes its half of the output into its own, which the next step on the calling
 * thread reads back. FaceMesh's 25–60 µs layers all ran slower split, and the model ran slower at 2 threads than at 1
 * (docs/performance.md, "Step split gate").
 *
 * <p>So a request measures each step whole: for {@link #SAMPLES} inferences after a warm-up of {@link #WARM_UP}
 * (again {@link #FIRST_PERIOD} later, then every {@link #PERIOD}), every step runs on the calling thread alone and
 * its wall time is taken; the smallest of these samples is the step's one-thread time (a preemption only ever adds time, so the minimum stays
 * true on a loaded machine, where a median of split times did not). A step may then split only when that time is at
 * least {@link #GAIN} times the split's cost, {@link #HANDOFF_NANOS} plus its activation bytes (inputs and outputs
 * computed at run time, up to {@link #CROSS_CORE_BYTES}) at {@link #CROSS_CORE_BYTES_PER_NANO}: a split saves at most half the time on 2 threads, and
 * must save clearly more than it costs. {@code -Dinfero.cpu.splitGate=quiet} vetoes nothing while the pool
 * counts as contended (see {@link #limit}). Only splits are vetoed, never forced: a step that may split still splits as
 * its kernel decides. A step's split time is never measured, so its verdict does not depend on what other processes
 * do with the second core; the whole model is, though, once per measurement for small models: when the steps' verdicts
 * leave it no faster than every step whole, nothing splits until the next measurement (see {@link #endInference}).
 * Allocation-free.
 */
final class SplitChooser {
    /**
     * Whether requests on pools of more than one thread gate their steps' splits (the class comment): on unless
     * {@code -Dinfero.cpu.splitGate=false}, and off when every step is made to split ({@code
     * -Dinfero.cpu.minTaskMicros=0}, the tests of the multi-threaded paths).
     */
    static final boolean ENABLED = !System.getProperty("infero.cpu.splitGate", "true").equals("false")
            && !WorkerPool.splitsEverything();
    /**
     * Whether the gate stands aside while the pool counts as contended ({@code -Dinfero.cpu.splitGate=quiet}; see
     * {@link #limit}). Off by default: at load 3-5 on 2 cores the pool counts as contended nearly always, and standing
     * aside left FaceMesh, light_shufflenet, YuNet and our chain models slower at 2 threads than at 1.
     */
    static final boolean QUIET_ONLY = System.getProperty("infero.cpu.splitGate", "true").equals("quiet");
    /** Whole-step samples per step in one measurement. */
    static final int SAMPLES = 8;
    /** Inferences before the first measurement: the steps' code is compiled by then. */
    static final int WARM_UP = 48;
    /** Inferences from one measurement's start to the next. */
    static final int PERIOD = 2048;
    /**
     * Inferences from the first measurement's start to the second: one early measurement, while the JIT may still be
     * compiling the steps' code or during a burst of load, can set the verdicts for a whole period (on a loaded
     * machine chain3's step minimums once summed to 2.5 ms against 0.83 ms later medians, and more of its steps
     * looked long enough to split), so the verdicts are taken again soon, then every {@link #PERIOD}.
     */
    static final int FIRST_PERIOD = 256;
    /**
     * A split's fixed cost in nanoseconds: the claim and the caller's wait for the worker's last task with a polling
     * worker (1–3 µs measured), and the worker's cold caches for the step's code and weights.
     * {@code -Dinfero.cpu.splitHandoffMicros} overrides it.
     */
    static final long HANDOFF_NANOS = Long.getLong("infero.cpu.splitHandoffMicros", 5) * 1000;
    /**
     * The rate at which a split's activations cross between the cores' caches, in bytes per nanosecond: a line the
     * other core wrote costs 20–40 B/ns more to touch than one in the own core's cache (measured with two threads on
     * 128 KB–2 MB buffers under load, docs/performance.md, "Step split gate"); 50, with {@link #GAIN} 2, measured best
     * on an idle Zen 4 VM (YOLOX-nano and YuNet keep their 2-thread gain, FaceMesh no slower at 2 threads than at 1).
     * On the Zen 5 VM, with the pool no longer parking on single slips (docs/performance.md, "Two threads: contention
     * needs evidence"), every model measured split faster the less the gate vetoed (50, 100, 200, 1000 alternating in
     * one JVM, 2 threads, median ms: MobileNetV2-like 2.90 / 2.75 / 2.88 / 2.65, SqueezeNet 2.15 / 2.05 / 2.07 / 2.00,
     * FaceMesh 0.70 / 0.69 / 0.64 / 0.63 against 0.67 at one thread, ShuffleNet 2.27 / 2.22 / 2.19 / 2.08), so 500:
     * the gate then mostly weighs the fixed hand-off. {@code -Dinfero.cpu.crossCoreBytesPerNano} overrides it when a
     * request is made.
     */
    static final long CROSS_CORE_BYTES_PER_NANO = 500;
    /**
     * At most this many of a step's activation bytes count as crossing between the caches: larger tensors do not
     * stay in one core's cache anyway (the measured penalty grew from 6 µs at 128 KB to only 23 µs at 2 MB), so a
     * step of more than {@code GAIN * (HANDOFF_NANOS + CROSS_CORE_BYTES / CROSS_CORE_BYTES_PER_NANO)}
     * is left to its kernel whatever its size (about 50 µs with the defaults).
     */
    static final long CROSS_CORE_BYTES = 1 << 20;
    /**
     * A step splits only when its one-thread time is this many times the split's cost (break-even is 2: two threads
     * save at most half); {@code -Dinfero.cpu.splitGain} overrides it. 3 (the first default) kept YOLOX-nano's and
     * YuNet's medium layers whole: at 2 threads 10.05 instead of 8.24 ms and 1.79 instead of 1.48 ms on an idle
     * machine (docs/performance.md, "Step split gate").
     */
    static final double GAIN = Double.parseDouble(System.getProperty("infero.cpu.splitGain", "2"));
    /**
     * Inferences per side of the whole-model check that follows each measurement (see {@link #endInference}): the
     * steps' verdicts against every step whole, alternating.
     */
    static final int CHECKS = 16;
    /**
     * The whole-model check runs only for models whose steps took less than this in all (their measured one-thread
     * times summed), in nanoseconds: on larger models the splits that remain are long steps that a hand-off cannot
     * outweigh, and half of a check's inferences on one thread would cost them more than it could save.
     * {@code -Dinfero.cpu.splitCheckMaxMicros} overrides it (0: no check).
     */
    static final long CHECK_MAX_NANOS = Long.getLong("infero.cpu.splitCheckMaxMicros", 5000) * 1000;
    /**
     * The check keeps every step whole only when that is faster by this factor (whole median at most this times the
     * split median): wrongly keeping a model whole costs it its whole 2-thread gain until the next measurement,
     * wrongly keeping its splits at most this much.
     */
    static final double CHECK_MARGIN = 0.97;
    /**
     * On a contended pool the check decides only for models whose steps took less than this in all, in nanoseconds:
     * an inference shorter than a scheduler slice mostly runs unpreempted, so alternating inferences compare what
     * the splits cost; longer inferences are decided by preemptions, which alternating shifts between the two sides
     * (see {@link #endInference}). {@code -Dinfero.cpu.splitCheckContendedMaxMicros} overrides it.
     */
    static final long CHECK_CONTENDED_MAX_NANOS = Long.getLong("infero.cpu.splitCheckContendedMaxMicros", 3000) * 1000;

    private final int threads;
    /** Per step, the bytes of its inputs and outputs computed at run time. */
    private final long[] bytes;
    /** Per step, the smallest whole time of the current measurement. */
    private final long[] whole;
    /** Per step, whether it may split (the last measurement's verdict; true until the first one). */
    private final boolean[] split;
    /** Inferences into the current period; negative during the warm-up. */
    private int inference = -WARM_UP;
    /** Whether the current period is the first ({@link #FIRST_PERIOD}). */
    private boolean firstPeriod = true;
    /** Whether the current period checks the verdicts against the whole model on one thread (see endInference). */
    private boolean checking;
    /** Whether the last check found the model faster with every step whole: then nothing splits. */
    private boolean wholeModel;
    /** The check's inference times with the steps' verdicts and with every step whole. */
    private final long[] splitInferences = new long[CHECKS];
    private final long[] wholeInferences = new long[CHECKS];
    /**
     * Whether the pool counted as contended during any of the check's inferences ({@code
     * WorkerPool.contendedInInference}: not only at their ends, since the pool now holds the contended state for as
     * little as 20 ms, and at load 20 a check that missed the contention kept a model whole that ran 3× faster split).
     */
    private boolean contendedWhileChecking;
    /** The steps' measured one-thread times summed, at the last measurement. */
    private long measuredTotal;

    /** {@link #CROSS_CORE_BYTES_PER_NANO}, or {@code -Dinfero.cpu.crossCoreBytesPerNano} as the chooser was made. */
    private final long crossCoreBytesPerNano = Math.max(1, Long.getLong("infero.cpu.crossCoreBytesPerNano",
            CROSS_CORE_BYTES_PER_NANO));

    /** A chooser for steps whose activations take {@code bytes[s]} bytes, on pools of {@code threads} threads. */
    SplitChooser(long[] bytes, int threads) {
        this.threads = threads;
        this.bytes = bytes.clone();
        this.whole = new long[bytes.length];
        this.split = new boolean[bytes.length];
        java.util.Arrays.fill(split, true);
        java.util.Arrays.fill(whole, Long.MAX_VALUE);
    }

    /** A chooser for the steps of {@code plan}, their bytes read from the plan's values. */
    static SplitChooser of(ExecutionPlan plan, int threads) {
        long[] bytes = new long[plan.steps.size()];
        for (int s = 0; s < bytes.length; s++) {
            ExecutionPlan.Entry step = plan.steps.get(s);
            bytes[s] = activationBytes(plan, step.inputs()) + activationBytes(plan, step.outputs());
        }
        return new SplitChooser(bytes, threads);
    }

    private static long activationBytes(ExecutionPlan plan, int[] slots) {
        long sum = 0;
        for (int slot : slots) {
            if (slot >= 0 && plan.constants[slot] == null && plan.values[slot].shape().isStatic()) {
                sum += plan.values[slot].type().bytes() * (long) dev.infero.core.types.Shapes.size(
                        plan.values[slot].shape().toArray());
            }
        }
        return sum;
    }

    /** Whether this inference's step times are wanted ({@link #record}). */
    boolean measuring() {
        return inference >= 0 && inference < SAMPLES;
    }

    /**
     * The thread limit for step {@code s} in this inference, on a pool that is {@code contended} or not. With
     * {@link #QUIET_ONLY} nothing is vetoed on a contended pool (other processes want the cores): there a split also
     * wins the process a second runnable thread's share of the busy cores, which the cost model does not count;
     * vetoing the splits of medium steps lost light_shufflenet, YOLOX-nano and Inception that share at load 15-20
     * (2-4x slower at 2 threads than without the gate, though no slower than at 1).
     */
    int limit(int s, boolean contended) {
        if (measuring() || wholeModel || checkingWhole()) {
            return 1;
        }
        return contended && QUIET_ONLY || split[s] ? threads : 1;
    }

    /** The current inference's place in the whole-model check, or -1 outside it. */
    private int check() {
        int c = inference - SAMPLES;
        return checking && c >= 0 && c < 2 * CHECKS ? c : -1;
    }

    /** Whether this inference runs every step whole for the whole-model check. */
    private boolean checkingWhole() {
        int c = check();
        return c >= 0 && (c & 1) == 1;
    }

    /**
     * Per measurement with {@link #QUIET_ONLY}, whether the pool counted as contended at the end of any of its
     * inferences: then nothing is vetoed until the next measurement.
     */
    private boolean contendedWhileMeasuring;

    /** Step {@code s} took {@code nanos} whole in this (measuring) inference. */
    void record(int s, long nanos) {
        whole[s] = Math.min(whole[s], nanos);
    }

    /**
     * The inference is over, on a pool that counted as {@code contended} during it or not, after {@code nanos} of wall
     * time: on to the next, deciding when a measurement is complete.
     *
     * <p>The steps' verdicts weigh each step alone; on a busy machine, or where the worker's wake-ups and the other
     * core's cache lines cost more than the model says, the splits the gate lets through can still leave the whole
     * model slower on 2 threads than on 1. So after each measurement a model whose steps sum to less than
     * {@link #CHECK_MAX_NANOS} (and that has a step allowed to split) runs {@link #CHECKS} inferences with the
     * verdicts and as many with every step whole, alternating, and keeps every step whole until the next measurement
     * when the median of those is faster by {@link #CHECK_MARGIN}: 2 threads are then not slower than 1 beyond that.
     * A check during which the pool counted as contended decides nothing unless the model's steps sum to less than
     * {@link #CHECK_CONTENDED_MAX_NANOS}: on busy cores, longer inferences alternating between split and whole do not
     * see what steady splitting gets (a second runnable thread's share of the cores): at load 13-14 on 2 cores the
     * check kept light_squeezenet (steps 4.9 ms) whole (medians 12.8 whole, 12.9 ms split), though it ran 5.7 ms at
     * 2 threads split and 13.3 ms whole.
     */
    void endInference(boolean contended, long nanos) {
        if (measuring()) {
            contendedWhileMeasuring |= contended && QUIET_ONLY;
        }
        int c = check();
        if (c >= 0) {
            ((c & 1) == 1 ? wholeInferences : splitInferences)[c >> 1] = nanos;
            contendedWhileChecking |= contended;
            if (c == 2 * CHECKS - 1) {
                java.util.Arrays.sort(splitInferences);
                java.util.Arrays.sort(wholeInferences);
                wholeModel = (!contendedWhileChecking || measuredTotal < CHECK_CONTENDED_MAX_NANOS)
                        && wholeInferences[CHECKS / 2] <= CHECK_MARGIN * splitInferences[CHECKS / 2];
                checking = false;
                contendedWhileChecking = false;
            }
        }
        inference++;
        if (inference == SAMPLES) {
            long total = 0;
            boolean any = false;
            for (int s = 0; s < split.length; s++) {
                split[s] = contendedWhileMeasuring || pays(whole[s], bytes[s], HANDOFF_NANOS, crossCoreBytesPerNano);
                any |= split[s];
                total += Math.min(whole[s], CHECK_MAX_NANOS);
                whole[s] = Long.MAX_VALUE;
            }
            contendedWhileMeasuring = false;
            wholeModel = false;
            measuredTotal = total;
            checking = any && total < CHECK_MAX_NANOS;
        } else if (inference >= (firstPeriod ? FIRST_PERIOD : PERIOD)) {
            inference = 0;
            firstPeriod = false;
        }
    }

    /**
     * Whether a step that takes {@code wholeNanos} on one thread over {@code bytes} of activations is worth a split
     * whose fixed cost is {@code handoffNanos}, activations crossing between the cores' caches at
     * {@code bytesPerNano}.
     */
    static boolean pays(long wholeNanos, long bytes, long handoffNanos, long bytesPerNano) {
        return wholeNanos >= GAIN * (handoffNanos + Math.min(bytes, CROSS_CORE_BYTES) / bytesPerNano);
    }

    /** Whether step {@code s} may split now on a quiet pool (for tests and counters). */
    boolean splits(int s) {
        return split[s] && !wholeModel;
    }
}
