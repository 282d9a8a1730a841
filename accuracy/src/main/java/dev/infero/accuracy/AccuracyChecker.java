package dev.infero.accuracy;

import dev.infero.api.CompiledModel;
import dev.infero.api.InferRequest;
import dev.infero.api.io.Progress;
import dev.infero.core.InferoException;
import dev.infero.core.device.PortInfo;
import dev.infero.core.tensor.Tensor;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Evaluates a compiled model on a dataset: preprocess each sample, infer, adapt the outputs, compute the metrics.
 * Inputs can be prepared once ({@link #prepare}) and evaluated by several models (FP32, FP16, INT8, the candidates of
 * accuracy-aware quantization).
 */
public final class AccuracyChecker {
    /** One metric's value; fractions (accuracy, mAP, NME) are in 0..1. */
    public record MetricValue(String name, String type, double value, boolean higherIsBetter, boolean percent,
                              Double reference, Double threshold) {
        /** Whether the value is within {@code reference ± threshold} (true without a reference). */
        public boolean meetsReference() {
            return reference == null || Math.abs(value - reference) <= (threshold == null ? 0 : threshold) + 1e-12;
        }

        /** The value as printed: percent with two decimals, or plain. */
        public String formatted() {
            return format(value, percent);
        }

        /** Percent with two decimals (three significant digits below 1 %), or four significant digits. */
        public static String format(double value, boolean percent) {
            if (!percent) {
                return String.format(java.util.Locale.ROOT, "%.4g", value);
            }
            double p = 100 * value;
            return String.format(java.util.Locale.ROOT, p != 0 && Math.abs(p) < 1 ? "%.3g%%" : "%.2f%%", p);
        }
    }

    /**
     * The result of one evaluation.
     *
     * @param outputs  each sample's output values (all outputs, flattened) when asked for (accuracy-aware quantization compares them),
     *                 else empty
     * @param predictions each sample's adapted prediction
     */
    public record Evaluation(String dataset, int samples, List<MetricValue> metrics, double medianLatencyMs,
                             List<float[]> outputs, List<Prediction> predictions) {
        public MetricValue first() {
            return metrics.getFirst();
        }
    }

    /** Preprocessed inputs of a dataset for one model input (kept in memory, or prepared on the fly). */
    public static final class Prepared {
        private final AccuracyConfig.DatasetSpec spec;
        private final PortInfo input;
        private final Tensor[] inputs;
        private final Preprocessor.Geometry[] geometries;

        private Prepared(AccuracyConfig.DatasetSpec spec, PortInfo input, boolean cache) {
            this.spec = spec;
            this.input = input;
            int n = spec.dataset().samples().size();
            this.inputs = cache ? new Tensor[n] : null;
            this.geometries = new Preprocessor.Geometry[n];
        }

        public int size() {
            return geometries.length;
        }

        public AccuracyConfig.DatasetSpec spec() {
            return spec;
        }

        /** The input tensor of sample {@code i}. */
        public Tensor input(int i) {
            if (inputs != null && inputs[i] != null) {
                return inputs[i];
            }
            Sample s = spec.dataset().samples().get(i);
            Preprocessor.Prepared p;
            try {
                p = spec.preprocessor().apply(s.image().get(), input.type(), input.shape());
            } catch (InferoException e) {
                throw new InferoException(spec.field() + " (" + spec.dataset().name() + "), sample " + s.id() + ": "
                        + e.getMessage(), e);
            }
            geometries[i] = p.geometry();
            if (inputs != null) {
                inputs[i] = p.input();
            }
            return p.input();
        }

        Preprocessor.Geometry geometry(int i) {
            return geometries[i];
        }

        /** The inputs of every sample (prepared now if needed), e.g. as calibration data. */
        public List<Tensor> all() {
            List<Tensor> out = new ArrayList<>(size());
            for (int i = 0; i < size(); i++) {
                out.add(input(i));
            }
            return out;
        }
    }

    private AccuracyChecker() {
    }

    /**
     * Prepares {@code spec} for model input {@code input}; inputs are kept in memory when they take less than a
     * quarter of the heap, otherwise prepared again for each evaluation.
     */
    public static Prepared prepare(AccuracyConfig.DatasetSpec spec, PortInfo input) {
        long elements = 1;
        if (input.shape().isStatic()) {
            for (int d : input.shape().toArray()) {
                elements *= d;
            }
        } else {
            elements = 3L * 512 * 512;
        }
        long bytes = elements * 4 * spec.dataset().samples().size();
        return new Prepared(spec, input, bytes < Runtime.getRuntime().maxMemory() / 4);
    }

    /** The model input images go to: the launcher's INPUT, or the only input. */
    public static PortInfo imageInput(List<PortInfo> inputs, AccuracyConfig.LauncherSpec launcher) {
        if (launcher.input() != null) {
            return inputs.stream().filter(p -> p.name().equals(launcher.input())).findFirst()
                    .orElseThrow(() -> new AccuracyConfigException(launcher.field() + ".inputs: the model has no"
                            + " input '" + launcher.input() + "' (inputs: " + inputs.stream().map(PortInfo::name)
                            .toList() + ")"));
        }
        if (inputs.size() != 1) {
            throw new AccuracyConfigException(launcher.field() + ".inputs: the model has " + inputs.size()
                    + " inputs; name the image input with inputs: [{name: ..., type: INPUT}]");
        }
        return inputs.getFirst();
    }

    /**
     * Runs {@code model} over the prepared samples {@code indices} (all when null) and computes the metrics.
     * {@code keepOutputs} keeps every output of each sample, flattened (for comparisons between models).
     */
    public static Evaluation evaluate(CompiledModel model, Prepared data, Adapter adapter, List<Integer> indices,
                                      boolean keepOutputs, PrintStream log) {
        AccuracyConfig.DatasetSpec spec = data.spec();
        checkLabels(model, spec, adapter);
        List<String> names = model.outputs().stream().map(PortInfo::name).toList();
        InferRequest request = model.createInferRequest();
        int n = indices == null ? data.size() : indices.size();
        List<Annotation> annotations = new ArrayList<>(n);
        List<Prediction> predictions = new ArrayList<>(n);
        List<float[]> outputs = new ArrayList<>();
        double[] times = new double[n];
        Progress bar = new Progress("Evaluating " + spec.dataset().name(), n, log);
        int inputIndex = model.inputs().indexOf(data.input);
        for (int k = 0; k < n; k++) {
            int i = indices == null ? k : indices.get(k);
            Tensor input = data.input(i);
            request.setInput(inputIndex < 0 ? 0 : inputIndex, input);
            long t0 = System.nanoTime();
            request.infer();
            times[k] = (System.nanoTime() - t0) / 1e6;
            List<Tensor> outs = new ArrayList<>(names.size());
            for (int o = 0; o < names.size(); o++) {
                outs.add(request.getOutput(o));
            }
            if (keepOutputs) {
                outputs.add(flatten(outs));
            }
            Sample s = spec.dataset().samples().get(i);
            try {
                predictions.add(adapter.process(names, outs, data.geometry(i)));
            } catch (InferoException e) {
                throw new InferoException("sample " + s.id() + ": " + e.getMessage(), e);
            }
            annotations.add(s.annotation());
            bar.step();
        }
        bar.finish();
        List<MetricValue> values = new ArrayList<>();
        for (AccuracyConfig.MetricSpec m : spec.metrics()) {
            Metric metric = m.metric();
            values.add(new MetricValue(metric.name(), metric.type(), metric.evaluate(annotations, predictions),
                    metric.higherIsBetter(), metric.percent(), m.reference(), m.threshold()));
        }
        Arrays.sort(times);
        double median = n == 0 ? 0 : (n % 2 == 1 ? times[n / 2] : (times[n / 2 - 1] + times[n / 2]) / 2);
        return new Evaluation(spec.dataset().name(), n, List.copyOf(values), median, outputs, predictions);
    }

    /** All outputs' values one after the other (for comparing two models' outputs sample by sample). */
    public static float[] flatten(List<Tensor> outputs) {
        int n = 0;
        for (Tensor t : outputs) {
            n += t.size();
        }
        float[] all = new float[n];
        int at = 0;
        for (Tensor t : outputs) {
            float[] v = t.toFloatArray();
            System.arraycopy(v, 0, all, at, v.length);
            at += v.length;
        }
        return all;
    }

    /**
     * A classifier's score count must match the dataset's classes (from {@code labels_file}), and every label must
     * index a score.
     */
    static void checkLabels(CompiledModel model, AccuracyConfig.DatasetSpec spec, Adapter adapter) {
        if (!adapter.name().equals("classification") || !model.outputs().getFirst().shape().isStatic()) {
            return;
        }
        long scores = 1;
        for (int d : model.outputs().getFirst().shape().toArray()) {
            scores *= d;
        }
        List<String> classes = spec.dataset().classes();
        if (spec.labelsFile() != null && !classes.isEmpty() && classes.size() != scores) {
            throw new AccuracyConfigException(spec.field() + ".annotation_conversion.labels_file: "
                    + spec.labelsFile() + " lists " + classes.size() + " classes, but the model's output '"
                    + model.outputs().getFirst().name() + "' has " + scores + " scores");
        }
        int max = -1;
        for (Sample s : spec.dataset().samples()) {
            if (s.annotation() instanceof Annotation.Label l) {
                max = Math.max(max, l.label());
            }
        }
        if (max >= scores) {
            throw new AccuracyConfigException(spec.field() + ".annotation_conversion: label " + max
                    + " does not index the model's " + scores + " class scores (output '"
                    + model.outputs().getFirst().name() + "')");
        }
    }
}
