package dev.infero.accuracy;

import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.infero.api.CompiledModel;
import dev.infero.api.Core;
import dev.infero.core.InferoException;
import dev.infero.core.device.PortInfo;
import dev.infero.core.tensor.Tensor;
import dev.infero.quantize.AccuracyAwareParameters;
import dev.infero.quantize.QuantizationParameters;
import dev.infero.quantize.QuantizationSession;
import dev.infero.quantize.Quantizer;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Consumer;

/**
 * POT's AccuracyAwareQuantization (NNCF's quantization with accuracy control): quantize everything with
 * DefaultQuantization, measure the first metric of the dataset on the FP32 and the INT8 model, and while the drop
 * exceeds {@code maximal_drop}, put groups of layers (a quantizer and the layers it feeds) back to floating point —
 * their original weights and biases — one at a time, the group that most reduces the INT8 error on the samples INT8
 * gets most wrong first:
 * <ol>
 *   <li>over the first {@code metric_subset_ratio} of the samples, the {@code ranking_subset_size} that INT8 gets most
 *       wrong (largest loss of the metric on the sample alone, then largest normalised squared error of the outputs
 *       against FP32) form the ranking subset;</li>
 *   <li>ranking: each group still quantized is reverted alone and the metric measured on the ranking subset; the
 *       highest first, ties broken by the output error left;</li>
 *   <li>the best-ranked group is reverted and the metric measured on the whole dataset; when that does not lower the
 *       drop and {@code use_prev_if_drop_increase} is set, the revert is undone, the group is set aside and the
 *       remaining groups are ranked again;</li>
 *   <li>until the drop fits, or {@code max_iter_num} reverts were tried, or nothing is left to revert.</li>
 * </ol>
 * The model written is the one that met the budget, or the best one found (smallest drop) when none did — with the
 * reached drop stated. Each iteration is logged and recorded in a JSON report beside the IR.
 */
public final class AccuracyAwareQuantization {
    /** One step: which group was reverted (or the initial DefaultQuantization), and what it gave. */
    public record Iteration(int number, String action, List<String> layers, double metric, double drop,
                            boolean kept) {
    }

    /** What the algorithm did and wrote. */
    public record Result(Path xml, Path bin, long binBytes, String metric, double fp32Metric,
                         double defaultMetric, double defaultDrop, double finalMetric, double finalDrop,
                         boolean withinBudget, List<QuantizationSession.Group> reverted, int quantizedLayers,
                         int groups, List<Iteration> iterations, Path report) {
    }

    private AccuracyAwareQuantization() {
    }

    /**
     * Runs the algorithm on {@code model} with {@code dataset} (its samples also calibrate, the first
     * {@code stat_subset_size}), writing {@code dir/<name>.xml/.bin} and {@code dir/<name>_report.json}. {@code log}
     * receives the iterations (one line each), {@code progress} (may be null) progress bars.
     */
    public static Result run(Core core, Path model, AccuracyConfig.LauncherSpec launcher,
                             AccuracyConfig.DatasetSpec dataset, QuantizationParameters qp,
                             AccuracyAwareParameters ap, Path dir, String name, String configText,
                             Consumer<String> log, PrintStream progress) {
        PortInfo input = AccuracyChecker.imageInput(core.readModel(model).inputs(), launcher);
        if (core.readModel(model).inputs().size() != 1) {
            throw new InferoException("AccuracyAwareQuantization supports single-input models; " + model + " has "
                    + core.readModel(model).inputs().size());
        }
        AccuracyChecker.Prepared data = AccuracyChecker.prepare(dataset, input);
        int statSize = qp.statSubsetSize() <= 0 ? data.size() : Math.min(qp.statSubsetSize(), data.size());
        List<Tensor> calibration = new ArrayList<>(statSize);
        for (int i = 0; i < statSize; i++) {
            calibration.add(data.input((int) ((long) i * data.size() / statSize)));
        }
        Adapter adapter = launcher.adapter();
        String device = launcher.device();
        AccuracyChecker.Evaluation fp32;
        try (CompiledModel compiled = core.compileModel(core.readModel(model), device)) {
            fp32 = AccuracyChecker.evaluate(compiled, data, adapter, null, true, progress);
        }
        AccuracyChecker.MetricValue metric = fp32.first();
        double sign = metric.higherIsBetter() ? 1 : -1;
        say(log, "FP32 %s: %s on %d samples", metric.name(), metric.formatted(), fp32.samples());

        try (QuantizationSession session = QuantizationSession.calibrate(core, model, calibration, qp, progress)) {
            List<QuantizationSession.Group> groups = session.groups();
            int maxIter = ap.maxIterNum() > 0 ? ap.maxIterNum() : groups.size();
            List<Iteration> iterations = new ArrayList<>();
            Set<QuantizationSession.Group> reverted = new LinkedHashSet<>();
            Candidate current = candidate(core, session, reverted, data, adapter, device, progress);
            double currentDrop = ap.drop(sign * metric.value(), sign * current.metric());
            double defaultMetric = current.metric();
            double defaultDrop = currentDrop;
            iterations.add(new Iteration(0, "DefaultQuantization", List.of(), current.metric(), currentDrop, true));
            say(log, "Iteration 0: DefaultQuantization, %d layers in %d groups: %s %s, drop %s (budget %s)",
                    current.quantized().layers(), groups.size(), metric.name(), format(metric, current.metric()),
                    drop(ap, metric, currentDrop), drop(ap, metric, ap.maximalDrop()));
            Candidate best = current;
            double bestDrop = currentDrop;
            Set<QuantizationSession.Group> bestReverted = new LinkedHashSet<>();
            Set<QuantizationSession.Group> setAside = new LinkedHashSet<>();
            List<QuantizationSession.Group> ranking = List.of();
            int tried = 0;
            while (currentDrop > ap.maximalDrop() + 1e-12 && tried < maxIter) {
                if (ranking.isEmpty()) {
                    ranking = rank(core, session, reverted, setAside, fp32, current, data, adapter, ap, device, log);
                    if (ranking.isEmpty()) {
                        say(log, "Nothing left to revert");
                        break;
                    }
                }
                QuantizationSession.Group g = ranking.getFirst();
                ranking = ranking.subList(1, ranking.size());
                reverted.add(g);
                tried++;
                Candidate next = candidate(core, session, reverted, data, adapter, device, progress);
                double nextDrop = ap.drop(sign * metric.value(), sign * next.metric());
                boolean helped = nextDrop < currentDrop;
                // POT keeps a revert unless the drop grew (then, with use_prev_if_drop_increase, it is undone).
                boolean keep = nextDrop <= currentDrop || !ap.usePrevIfDropIncrease();
                iterations.add(new Iteration(tried, "revert " + g.name(), g.layers(), next.metric(), nextDrop, keep));
                say(log, "Iteration %d: reverted %s (%s) to FP32: %s %s, drop %s%s", tried, g.name(),
                        String.join(", ", g.layers()), metric.name(), format(metric, next.metric()),
                        drop(ap, metric, nextDrop), keep ? (helped ? "" : " — no better; ranking again") : " — worse, undone; ranking again");
                if (nextDrop < bestDrop) {
                    best = next;
                    bestDrop = nextDrop;
                    bestReverted = new LinkedHashSet<>(reverted);
                }
                if (keep) {
                    current = next;
                    currentDrop = nextDrop;
                    if (!helped) {
                        ranking = List.of();   // the ranking no longer describes this model: rank again
                    }
                } else {
                    reverted.remove(g);
                    setAside.add(g);
                    ranking = List.of();
                }
            }
            boolean within = bestDrop <= ap.maximalDrop() + 1e-12;
            if (!within) {
                say(log, "The budget of %s cannot be met: the best model found (%d groups in FP32) drops %s; it is"
                                + " written anyway", drop(ap, metric, ap.maximalDrop()), bestReverted.size(),
                        drop(ap, metric, bestDrop));
            }
            best.quantized().graph().metadata().put("quantization_parameters/reverted",
                    String.join(",", bestReverted.stream().flatMap(x -> x.layers().stream()).toList()));
            Quantizer.Result written = Quantizer.write(best.quantized(), qp, calibration.size(), dir, name,
                    configText);
            Path report = dir.resolve(name + "_report.json");
            Result result = new Result(written.xml(), written.bin(), written.binBytes(), metric.name(),
                    metric.value(), defaultMetric, defaultDrop, best.metric(), bestDrop, within,
                    List.copyOf(bestReverted), best.quantized().layers(), groups.size(), List.copyOf(iterations),
                    report);
            writeReport(result, ap, report);
            return result;
        }
    }

    private record Candidate(Quantizer.Quantized quantized, double metric, List<float[]> outputs,
                             List<Prediction> predictions) {
    }

    private static Candidate candidate(Core core, QuantizationSession session, Set<QuantizationSession.Group> reverted,
                                       AccuracyChecker.Prepared data, Adapter adapter, String device,
                                       PrintStream log) {
        Quantizer.Quantized q = session.quantize(layers(reverted), null);
        try (CompiledModel compiled = core.compileModel(core.model(q.graph().copy()), device)) {
            AccuracyChecker.Evaluation e = AccuracyChecker.evaluate(compiled, data, adapter, null, true, log);
            return new Candidate(q, e.first().value(), e.outputs(), e.predictions());
        }
    }

    private static Set<String> layers(Set<QuantizationSession.Group> groups) {
        Set<String> out = new LinkedHashSet<>();
        groups.forEach(g -> out.addAll(g.layers()));
        return out;
    }

    /**
     * The groups still quantized, best first: each reverted alone, the metric on the ranking subset (higher is
     * better), ties broken by the error left in the outputs against FP32.
     */
    private static List<QuantizationSession.Group> rank(Core core, QuantizationSession session,
                                                        Set<QuantizationSession.Group> reverted,
                                                        Set<QuantizationSession.Group> setAside,
                                                        AccuracyChecker.Evaluation fp32, Candidate current,
                                                        AccuracyChecker.Prepared data, Adapter adapter,
                                                        AccuracyAwareParameters ap, String device,
                                                        Consumer<String> log) {
        int searched = Math.max(1, (int) Math.ceil(ap.metricSubsetRatio() * data.size()));
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < searched; i++) {
            order.add((int) ((long) i * data.size() / searched));
        }
        // The samples INT8 gets most wrong: the largest loss of the metric on the sample alone, then the largest
        // output error.
        Metric metric = data.spec().metrics().getFirst().metric();
        double sign = metric.higherIsBetter() ? 1 : -1;
        double[] loss = new double[data.size()];
        double[] err = new double[data.size()];
        for (int i : order) {
            Annotation a = data.spec().dataset().samples().get(i).annotation();
            loss[i] = sign * (sampleMetric(metric, a, fp32.predictions().get(i))
                    - sampleMetric(metric, a, current.predictions().get(i)));
            err[i] = error(fp32.outputs().get(i), current.outputs().get(i));
        }
        order.sort(Comparator.comparingDouble((Integer i) -> -loss[i]).thenComparingDouble(i -> -err[i]));
        List<Integer> subset = List.copyOf(order.subList(0, Math.min(ap.rankingSubsetSize(), order.size())));
        List<QuantizationSession.Group> candidates = session.groups().stream()
                .filter(g -> !reverted.contains(g) && !setAside.contains(g)).toList();
        long losing = subset.stream().filter(i -> loss[i] > 0).count();
        say(log, "Ranking %d groups on the %d samples (of %d) INT8 gets most wrong (%d lose %s on their own)",
                candidates.size(), subset.size(), searched, losing, metric.name());
        record Score(QuantizationSession.Group group, double metric, double error) {
        }
        List<Score> scores = new ArrayList<>();
        for (QuantizationSession.Group g : candidates) {
            Set<QuantizationSession.Group> trial = new LinkedHashSet<>(reverted);
            trial.add(g);
            Quantizer.Quantized q = session.quantize(layers(trial), null);
            try (CompiledModel compiled = core.compileModel(core.model(q.graph()), device)) {
                AccuracyChecker.Evaluation e = AccuracyChecker.evaluate(compiled, data, adapter, subset, true, null);
                double total = 0;
                for (int k = 0; k < subset.size(); k++) {
                    total += error(fp32.outputs().get(subset.get(k)), e.outputs().get(k));
                }
                scores.add(new Score(g, sign * e.first().value(), total / subset.size()));
            }
        }
        scores.sort(Comparator.comparingDouble((Score x) -> -x.metric()).thenComparingDouble(Score::error));
        if (log != null && !scores.isEmpty()) {
            StringBuilder top = new StringBuilder();
            for (int i = 0; i < Math.min(5, scores.size()); i++) {
                Score sc = scores.get(i);
                top.append(i == 0 ? "" : ", ").append(sc.group().name()).append(' ')
                        .append(AccuracyChecker.MetricValue.format(sign * sc.metric(), metric.percent()))
                        .append(String.format(Locale.ROOT, " err %.3g", sc.error()));
            }
            say(log, "Ranking (%s on the subset and output error with the group reverted alone): %s", metric.name(),
                    top);
        }
        return scores.stream().map(Score::group).toList();
    }

    /** The metric on one sample alone; 0 where it is undefined for a single sample (e.g. no objects in it). */
    private static double sampleMetric(Metric metric, Annotation a, Prediction p) {
        try {
            return metric.evaluate(List.of(a), List.of(p));
        } catch (InferoException e) {
            return 0;
        }
    }

    /** Normalised squared error of {@code actual} against {@code expected}. */
    static double error(float[] expected, float[] actual) {
        double num = 0;
        double den = 1e-12;
        for (int i = 0; i < expected.length; i++) {
            double d = expected[i] - actual[i];
            num += d * d;
            den += (double) expected[i] * expected[i];
        }
        return num / den;
    }

    private static String format(AccuracyChecker.MetricValue m, double v) {
        return AccuracyChecker.MetricValue.format(v, m.percent());
    }

    private static String drop(AccuracyAwareParameters ap, AccuracyChecker.MetricValue m, double d) {
        if (ap.relative()) {
            return String.format(Locale.ROOT, "%.2f%% relative", 100 * d);
        }
        return m.percent() ? String.format(Locale.ROOT, "%.2f points", 100 * d)
                : String.format(Locale.ROOT, "%.4g", d);
    }

    private static void say(Consumer<String> log, String format, Object... args) {
        if (log != null) {
            log.accept("[ INFO ] " + String.format(Locale.ROOT, format, args));
        }
    }

    private static void writeReport(Result r, AccuracyAwareParameters ap, Path file) {
        JsonMapper json = new JsonMapper();
        ObjectNode root = json.createObjectNode();
        root.put("algorithm", "AccuracyAwareQuantization");
        root.put("metric", r.metric());
        root.put("maximal_drop", ap.maximalDrop());
        root.put("drop_type", ap.relative() ? "relative" : "absolute");
        root.put("fp32", r.fp32Metric());
        root.put("default_quantization", r.defaultMetric());
        root.put("default_drop", r.defaultDrop());
        root.put("final", r.finalMetric());
        root.put("final_drop", r.finalDrop());
        root.put("within_budget", r.withinBudget());
        root.put("quantized_layers", r.quantizedLayers());
        ArrayNode reverted = root.putArray("reverted_to_fp32");
        for (QuantizationSession.Group g : r.reverted()) {
            ObjectNode o = reverted.addObject();
            o.put("group", g.name());
            g.layers().forEach(o.putArray("layers")::add);
        }
        ArrayNode its = root.putArray("iterations");
        for (Iteration it : r.iterations()) {
            ObjectNode o = its.addObject();
            o.put("iteration", it.number());
            o.put("action", it.action());
            it.layers().forEach(o.putArray("layers")::add);
            o.put("metric", it.metric());
            o.put("drop", it.drop());
            o.put("kept", it.kept());
        }
        try {
            Files.createDirectories(file.getParent());
            json.writerWithDefaultPrettyPrinter().writeValue(file.toFile(), root);
        } catch (IOException e) {
            throw new InferoException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }
}
