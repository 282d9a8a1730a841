package dev.infero.benchmarks;

import dev.infero.api.Core;
import dev.infero.api.InferRequest;
import dev.infero.core.device.ProfilingInfo;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Whole-inference latency of small models (fractions of a millisecond) on one thread, for the fixed per-inference
 * and per-step costs: the variants infer in turn, {@code -Dround=100} inferences each (so load from other processes
 * falls on all alike, and each finds its weights in cache as in a run of its own), and per
 * variant the median wall time, its 10th percentile and the median CPU time of the inferring thread are printed;
 * then, with profiling on (which adds a clock read per step), the median time of each step. With
 * {@code -Dab=PROPERTY} every model is compiled twice, with the system property set to each of
 * {@code -Dabvalues=off,on} (a name without a dot means {@code infero.jit.NAME}), so both compare in one JVM.
 * <p>
 * Usage: {@code TinyLatency [-Dseconds=10] [-Dthreads=1] [-Dsteps=true] [-Dround=100] [-Dab=gemv] MODEL...}.
 */
public final class TinyLatency {
    private TinyLatency() {
    }

    public static void main(String[] args) throws Exception {
        double seconds = Double.parseDouble(System.getProperty("seconds", "10"));
        String threads = System.getProperty("threads", "1");
        String ab = System.getProperty("ab");
        String abProperty = ab == null ? null : ab.contains(".") ? ab : "infero.jit." + ab;
        String[] abValues = System.getProperty("abvalues", "off,on").split(",");
        List<String> labels = new ArrayList<>();
        List<InferRequest> requests = new ArrayList<>();
        try (Core core = new Core()) {
            for (String p : args) {
                for (int v = 0; v < (ab == null ? 1 : abValues.length); v++) {
                    String label = Path.of(p).getFileName().toString();
                    if (ab != null) {
                        System.setProperty(abProperty, abValues[v]);
                        label += " " + ab + "=" + abValues[v];
                    }
                    labels.add(label);
                    requests.add(AlternatingLatency.latencyRequest(core, p, threads));
                }
            }
            if (ab != null) {
                System.clearProperty(abProperty);
            }
            int n = requests.size();
            long warmEnd = System.nanoTime() + (long) (seconds * 0.2e9);
            while (System.nanoTime() < warmEnd) {
                requests.forEach(InferRequest::infer);
            }
            var mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
            int cap = 1 << 18;
            long[][] wall = new long[n][cap];
            long[][] cpu = new long[n][cap];
            int count = 0;
            long end = System.nanoTime() + (long) (seconds * 0.6e9);
            int round = Integer.getInteger("round", 100);
            while (System.nanoTime() < end && count + round <= cap) {
                for (int i = 0; i < n; i++) {
                    for (int j = 0; j < round; j++) {
                        long c0 = mx.getCurrentThreadCpuTime();
                        long t0 = System.nanoTime();
                        requests.get(i).infer();
                        wall[i][count + j] = System.nanoTime() - t0;
                        cpu[i][count + j] = mx.getCurrentThreadCpuTime() - c0;
                    }
                }
                count += round;
            }
            System.out.printf("%-34s %7s %9s %9s %9s%n", "model", "runs", "p10 us", "median us", "cpu us");
            for (int i = 0; i < n; i++) {
                long[] w = Arrays.copyOf(wall[i], count);
                long[] c = Arrays.copyOf(cpu[i], count);
                Arrays.sort(w);
                Arrays.sort(c);
                System.out.printf("%-34s %7d %9.2f %9.2f %9.2f%n", labels.get(i), count, w[count / 10] / 1e3,
                        w[count / 2] / 1e3, c[count / 2] / 1e3);
            }
            if (!Boolean.parseBoolean(System.getProperty("steps", "true"))) {
                return;
            }
            requests.forEach(r -> r.setProfiling(true));
            int stepRuns = Math.min(count, 20_000);
            List<long[][]> stepTimes = new ArrayList<>();
            List<List<ProfilingInfo>> rows = new ArrayList<>();
            for (InferRequest r : requests) {
                r.infer();
                List<ProfilingInfo> executed = r.getProfilingInfo().stream()
                        .filter(p -> p.status() == ProfilingInfo.Status.EXECUTED).toList();
                rows.add(executed);
                stepTimes.add(new long[executed.size()][stepRuns]);
            }
            long stepEnd = System.nanoTime() + (long) (seconds * 0.2e9);
            int runs = 0;
            while (runs + round <= stepRuns && System.nanoTime() < stepEnd) {
                for (int i = 0; i < n; i++) {
                    for (int j = 0; j < round; j++) {
                        requests.get(i).infer();
                        List<ProfilingInfo> info = requests.get(i).getProfilingInfo();
                        int s = 0;
                        for (ProfilingInfo p : info) {
                            if (p.status() == ProfilingInfo.Status.EXECUTED) {
                                stepTimes.get(i)[s++][runs + j] = p.realTimeNanos();
                            }
                        }
                    }
                }
                runs += round;
            }
            for (int i = 0; i < n; i++) {
                System.out.printf("%n%s: median step times over %d runs (profiling on)%n", labels.get(i), runs);
                long sum = 0;
                for (int s = 0; s < rows.get(i).size(); s++) {
                    long[] t = Arrays.copyOf(stepTimes.get(i)[s], runs);
                    Arrays.sort(t);
                    sum += t[runs / 2];
                    ProfilingInfo p = rows.get(i).get(s);
                    System.out.printf("  %-28s %-52s %8.2f us%n", p.nodeName(), p.execType(), t[runs / 2] / 1e3);
                }
                System.out.printf("  %-28s %-52s %8.2f us%n", "sum of medians", "", sum / 1e3);
            }
        }
    }
}
