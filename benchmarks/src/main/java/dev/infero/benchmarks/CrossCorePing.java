package dev.infero.benchmarks;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The round trip of a cache line between two threads (two cores when the machine gives them two), sample after
 * sample: the cost every split layer's hand-off and shared activations pay. On a VM it shows where the host placed
 * the vCPUs: on the Zen 5 VM of docs/performance.md it flipped between 47–66 ns (one core complex) and 380–470 ns
 * (two) within seconds, which is what makes that machine's 2-thread timings swing. Usage: {@code java -cp <benchmarks
 * classpath> dev.infero.benchmarks.CrossCorePing [samples] [round trips per sample]} (default 30 × 200000); prints
 * one line per sample with its mean round trip.
 */
public final class CrossCorePing {
    private CrossCorePing() {
    }

    public static void main(String[] args) throws InterruptedException {
        int samples = args.length > 0 ? Integer.parseInt(args[0]) : 30;
        int trips = args.length > 1 ? Integer.parseInt(args[1]) : 200_000;
        if (samples < 1 || trips < 1) {
            throw new IllegalArgumentException("samples and round trips must be positive: " + samples + ", " + trips);
        }
        AtomicLong turn = new AtomicLong();
        for (int sample = 0; sample < samples; sample++) {
            turn.set(0);
            long last = 2L * trips;
            // The other thread answers odd turns, this one takes even turns: each step hands the line over.
            Thread other = Thread.ofPlatform().start(() -> {
                for (long i = 1; i < last; i += 2) {
                    while (turn.get() != i) {
                        Thread.onSpinWait();
                    }
                    turn.set(i + 1);
                }
            });
            long start = System.nanoTime();
            for (long i = 0; i < last; i += 2) {
                while (turn.get() != i) {
                    Thread.onSpinWait();
                }
                turn.set(i + 1);
            }
            other.join();
            System.out.printf("sample %2d: round trip %.1f ns%n", sample, (System.nanoTime() - start) / (double) trips);
        }
    }
}
