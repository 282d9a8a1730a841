package dev.infero.quantize;

import dev.infero.api.io.Progress;
import dev.infero.core.graph.Graph;
import dev.infero.core.graph.Node;
import dev.infero.core.graph.Value;
import dev.infero.core.ops.eltwise.Add;
import dev.infero.core.ops.nn.MatMul;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * POT's FastBiasCorrection: quantization shifts the mean of a layer's output (rounding of weights and activations is
 * not zero-mean per channel); adding the shift back into the layer's bias removes that systematic error. For each
 * quantized layer followed by a bias Add, the layer is evaluated on its FP32 input from the calibration samples twice
 * — as in FP32, and with its FakeQuantize and INT8 weights — and the bias gets the per-channel mean difference.
 * Layer-local, like POT's: each layer is corrected for its own quantization error, on FP32 inputs.
 */
final class FastBiasCorrection {
    /**
     * Samples used: each gives every output position of every channel, so a few dozen estimate the mean shift well,
     * and evaluating each layer twice with the reference kernels is the slowest part of quantization.
     */
    static final int MAX_SAMPLES = 50;

    /** A layer to correct: where its FP32 input comes from, and its bias Add. */
    private record Target(DefaultQuantization.Layer layer, int tap, Node biasAdd, int biasPort, int channelAxis,
                          double[] shift) {
    }

    private FastBiasCorrection() {
    }

    /**
     * Corrects the biases in {@code graph}; {@code taps} lists the tensors {@code model} yields, which include each
     * layer's activation input. Returns how many biases were changed.
     */
    static int apply(Graph graph, List<DefaultQuantization.Layer> layers, TappedModel model, List<TensorId> taps,
                     List<Tensor> samples, PrintStream log) {
        return apply(graph, layers, model, taps, samples, log, new java.util.HashMap<>());
    }

    /**
     * As above, with corrected biases remembered by layer name in {@code cache}: the correction of a layer depends
     * only on that layer (its FP32 input, its weights and input quantizer), so a layer corrected once need not be
     * measured again when other layers change.
     */
    static int apply(Graph graph, List<DefaultQuantization.Layer> layers, TappedModel model, List<TensorId> taps,
                     List<Tensor> samples, PrintStream log, java.util.Map<String, float[]> cache) {
        List<Target> all = new ArrayList<>();
        for (DefaultQuantization.Layer l : layers) {
            Target t = target(graph, l, taps);
            if (t != null) {
                all.add(t);
            }
        }
        if (all.isEmpty()) {
            return 0;
        }
        List<Target> targets = new ArrayList<>();
        for (Target t : all) {
            float[] cached = cache.get(t.layer().node().name());
            if (cached == null) {
                targets.add(t);
            } else {
                setBias(graph, t, cached);
            }
        }
        if (targets.isEmpty()) {
            graph.removeDeadNodes();
            return all.size();
        }
        List<Tensor> used = samples.subList(0, Math.min(samples.size(), MAX_SAMPLES));
        Progress bar = new Progress("Bias correction        ", used.size(), log);
        long[] counts = new long[targets.size()];
        for (Tensor sample : used) {
            Tensor[] inputs = model.run(sample);
            for (int i = 0; i < targets.size(); i++) {
                counts[i] += accumulate(targets.get(i), inputs[targets.get(i).tap()]);
            }
            bar.step();
        }
        bar.finish();
        for (int i = 0; i < targets.size(); i++) {
            Target t = targets.get(i);
            Tensor bias = t.biasAdd().input(t.biasPort()).knownValue();
            float[] corrected = bias.toFloatArray();
            for (int c = 0; c < bias.size(); c++) {
                corrected[c] += (float) (t.shift()[c] / (counts[i] / bias.size()));
            }
            cache.put(t.layer().node().name(), corrected);
            setBias(graph, t, corrected);
        }
        graph.removeDeadNodes();
        return all.size();
    }

    private static void setBias(Graph graph, Target t, float[] corrected) {
        Tensor bias = t.biasAdd().input(t.biasPort()).knownValue();
        Node constant = graph.addConstant(t.biasAdd().name() + "/bias_corrected", Tensor.of(corrected.clone(),
                bias.shape()));
        graph.setInput(t.biasAdd(), t.biasPort(), constant.output(0));
    }

    /** The layer's bias Add (its only reader, adding a per-channel constant), or {@code null} if it has none. */
    private static Target target(Graph graph, DefaultQuantization.Layer l, List<TensorId> taps) {
        Node layer = l.node();
        if (l.fp32Weights() == null || l.fakeQuantizes().size() != 1 || !l.fakeQuantizes().containsKey(0)
                || !layer.output(0).shape().isStatic()) {
            return null;
        }
        List<Node> readers = graph.consumers(layer.output(0));
        if (readers.size() != 1 || !(readers.getFirst().op() instanceof Add)) {
            return null;
        }
        Node add = readers.getFirst();
        int biasPort = add.input(0) == layer.output(0) ? 1 : 0;
        Value bias = add.input(biasPort);
        int rank = layer.output(0).shape().rank();
        int channelAxis = layer.op() instanceof MatMul ? rank - 1 : 1;
        int channels = layer.output(0).shape().dim(channelAxis);
        if (!bias.isKnown() || bias.type() != ElementType.F32 || bias.knownValue().size() != channels
                || !isPerChannel(bias.knownValue().shape(), rank, channelAxis)) {
            return null;
        }
        Node fq = l.fakeQuantizes().get(0);
        int tap = taps.indexOf(TensorId.of(fq.input(0)));
        return new Target(l, tap, add, biasPort, channelAxis, new double[channels]);
    }

    /** Whether {@code shape}, aligned right against an output of {@code rank}, varies only along {@code axis}. */
    private static boolean isPerChannel(int[] shape, int rank, int axis) {
        if (shape.length > rank) {
            return false;
        }
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] != 1 && i + rank - shape.length != axis) {
                return false;
            }
        }
        return true;
    }

    /** Adds this sample's per-channel sums of (FP32 − quantized) output; returns the elements summed. */
    private static long accumulate(Target t, Tensor x) {
        Node layer = t.layer().node();
        Node fq = t.layer().fakeQuantizes().get(0);
        Tensor quantizedX = evaluate(fq, x, fq.input(1).knownValue(), fq.input(2).knownValue(),
                fq.input(3).knownValue(), fq.input(4).knownValue());
        Tensor fp = evaluate(layer, x, t.layer().fp32Weights());
        Tensor q = evaluate(layer, quantizedX, layer.input(1).knownValue());
        float[] a = fp.floats();
        float[] b = q.floats();
        int[] shape = fp.shape();
        int channels = shape[t.channelAxis()];
        int inner = 1;
        for (int i = t.channelAxis() + 1; i < shape.length; i++) {
            inner *= shape[i];
        }
        int size = fp.size();
        for (int i = 0; i < size; i++) {
            t.shift()[(i / inner) % channels] += a[i] - b[i];
        }
        return size;
    }

    private static Tensor evaluate(Node node, Tensor... inputs) {
        Tensor out = Tensor.allocate(ElementType.F32, node.output(0).shape().toArray());
        node.op().evaluate(inputs, new Tensor[] {out});
        return out;
    }
}
