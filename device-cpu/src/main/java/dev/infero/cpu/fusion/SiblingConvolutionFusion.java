package dev.infero.cpu.fusion;

import dev.infero.core.graph.Node;
import dev.infero.core.graph.Value;
import dev.infero.core.ops.movement.Concat;
import dev.infero.core.ops.nn.ConvolutionBase;
import dev.infero.core.ops.quantization.FakeQuantize;
import dev.infero.core.types.Shapes;
import dev.infero.cpu.kernels.ConvGeometry;
import dev.infero.cpu.kernels.PostOps;
import dev.infero.cpu.step.SiblingConvolutionStep;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * Horizontal fusion (TensorRT's "horizontal layer fusion"): convolutions that read the same input with the same
 * window (detector heads' class and box branches, Inception's 1×1 branch and reduce convolutions) run as one
 * convolution whose output channels are theirs one after the other ({@link SiblingConvolutionStep}): the input is
 * unfolded or packed once, one step instead of several, and the product's tiles get a wider output.
 *
 * <p>Siblings are the chains {@link ConvolutionFusion#chain} finds from the readers of the anchor's input, the anchor
 * (the first of them in the plan's order) first, then the others in the order the input lists its readers, that
 * have: one group ({@code Convolution} or a one-group {@code GroupConvolution}), the anchor's geometry but for the
 * output channels (batch, input shape, kernel, strides, dilations, padding, output size), no residual Add (a chain
 * that takes one keeps it: the Add fused into a convolution saves a pass over the output, more than stacking
 * saves), and an activation that stacks with the anchor's ({@link PostOps#concatenated}): the same one (kind and
 * scalar parameters), or any mix of none, ReLU, leaky ReLU and PReLU, which run as PReLU with a slope per channel.
 * The per-channel scale, bias and slopes are stacked. A sibling with an activation that does not stack (sigmoid
 * beside SiLU) is left out and may anchor siblings of its own. Left out too: INT8 layers (the input is
 * a FakeQuantize's output: the INT8 patterns take them) and chains whose output a FakeQuantize reads (the producer
 * then writes codes for INT8 readers, {@code Fusion.passCodes}). The step runs where the anchor stood: everything it
 * reads (the input) is computed by then. Where the outputs are one Concat's consecutive inputs, the siblings are
 * stacked in the Concat's order. Only groups where one product pays ({@link #pays}) are fused.
 * {@code -Dinfero.cpu.siblingFusion=off} leaves siblings as separate steps (for A/B).
 */
final class SiblingConvolutionFusion {
    private SiblingConvolutionFusion() {
    }

    static boolean enabled() {
        return !"off".equals(System.getProperty("infero.cpu.siblingFusion", "on"));
    }

    static Fused match(Node anchor, Set<Node> taken) {
        if (!enabled() || !(anchor.op() instanceof ConvolutionBase)) {
            return null;
        }
        Value data = anchor.input(0);
        if (data == null || data.consumers().size() < 2 || data.node().op() instanceof FakeQuantize) {
            return null;
        }
        Set<Node> claimed = Collections.newSetFromMap(new IdentityHashMap<>());
        claimed.addAll(taken);
        ConvolutionFusion.Chain first = sibling(anchor, data, claimed);
        if (first == null) {
            return null;
        }
        claimed.addAll(first.nodes());
        List<ConvolutionFusion.Chain> siblings = new ArrayList<>(List.of(first));
        PostOps firstPost = first.scaledPost();
        for (Node reader : data.consumers()) {
            if (reader == anchor || claimed.contains(reader)) {
                continue;
            }
            ConvolutionFusion.Chain c = sibling(reader, data, claimed);
            if (c == null || !sameWindow(first.geometry(), c.geometry())
                    || PostOps.concatenated(new PostOps[] {firstPost, c.scaledPost()},
                    new int[] {first.geometry().outChannels(), c.geometry().outChannels()}) == null) {
                continue;
            }
            claimed.addAll(c.nodes());
            siblings.add(c);
        }
        if (siblings.size() < 2) {
            return null;
        }
        boolean intoConcat = inConcatOrder(siblings);
        int[] channels = siblings.stream().mapToInt(c -> c.geometry().outChannels()).toArray();
        return pays(siblings.get(0).geometry(), channels, intoConcat) ? fuse(anchor, siblings) : null;
    }

    /** The chain of {@code conv} if it may be a sibling on {@code data}, else {@code null}. */
    private static ConvolutionFusion.Chain sibling(Node conv, Value data, Set<Node> claimed) {
        if (conv.inputs().isEmpty() || conv.input(0) != data || conv.inputs().size() != 2 || claimed.contains(conv)) {
            return null;
        }
        ConvolutionFusion.Chain c = ConvolutionFusion.chain(conv, claimed);
        if (c == null || c.geometry().groups() != 1 || c.post().hasResidual()) {
            return null;
        }
        for (Node reader : c.output().consumers()) {
            if (reader.op() instanceof FakeQuantize) {
                return null;
            }
        }
        return c;
    }

    /** Whether {@code a} and {@code b} are the same convolution but for their output channels. */
    static boolean sameWindow(ConvGeometry a, ConvGeometry b) {
        return a.batch() == b.batch() && a.inChannels() == b.inChannels() && a.inH() == b.inH() && a.inW() == b.inW()
                && a.outH() == b.outH() && a.outW() == b.outW() && a.kernelH() == b.kernelH()
                && a.kernelW() == b.kernelW() && a.strideH() == b.strideH() && a.strideW() == b.strideW()
                && a.dilationH() == b.dilationH() && a.dilationW() == b.dilationW() && a.padTop() == b.padTop()
                && a.padLeft() == b.padLeft() && a.groups() == 1 && b.groups() == 1;
    }

    /**
     * Whether the siblings' outputs are, in some order, consecutive channel blocks of one Concat that alone reads
     * each of them, at batch 1: then {@code siblings} is put in that order, and in-place Concat lets the stacked
     * product write there with no copies ({@code SiblingConvolutionStep.writingAllAt}).
     */
    private static boolean inConcatOrder(List<ConvolutionFusion.Chain> siblings) {
        Node cat = siblings.get(0).output().soleConsumer();
        if (cat == null || !(cat.op() instanceof Concat concat) || siblings.get(0).geometry().batch() != 1
                || Shapes.normalizeAxis(concat.axis(), cat.output(0).shape().rank()) != 1) {
            return false;
        }
        int[] at = new int[siblings.size()];
        for (int i = 0; i < at.length; i++) {
            Value out = siblings.get(i).output();
            at[i] = cat.inputs().indexOf(out);
            if (out.soleConsumer() != cat || at[i] < 0 || cat.inputs().lastIndexOf(out) != at[i]) {
                return false;
            }
        }
        List<ConvolutionFusion.Chain> ordered = new ArrayList<>(siblings);
        ordered.sort(java.util.Comparator.comparingInt(c -> cat.inputs().indexOf(c.output())));
        int first = cat.inputs().indexOf(ordered.get(0).output());
        for (int i = 0; i < ordered.size(); i++) {
            if (cat.inputs().get(first + i) != ordered.get(i).output()) {
                return false;
            }
        }
        siblings.clear();
        siblings.addAll(ordered);
        return true;
    }

    /** Copies of a stacked output up to this size stay in L2 and cost little beside the step they save. */
    private static final long SMALL_COPY_BYTES = 256 * 1024;

    /**
     * Whether one stacked product of siblings with {@code outChannels} each and the window {@code g} is worth it
     * ({@code intoConcat}: it writes into their Concat). It saves a pass over the shared input per sibling after the first
     * (packing or unfolding {@code Cin·KH·KW} floats per output pixel) and a step, and widens the product; unless it
     * writes into its Concat, it costs copying the stacked output ({@code sum of Cout} floats per output pixel, read
     * and written) out of the transient buffer. It pays when it writes into the Concat, when the copies are small
     * ({@link #SMALL_COPY_BYTES}: YuNet's heads, layers of 14×14 and smaller, where the wider product gains), or when
     * the copy traffic is below the input passes saved: {@code 2·sum(Cout) < (siblings − 1)·Cin·KH·KW}. Measured
     * (1 thread, per layer, fused against separate): YuNet's 1×1 heads 0.62–0.91, Inception's 1×1 branch and reduces
     * 0.70–0.88, YOLOX-nano's 13×13 CSP pair 0.89; slower where the outputs are as wide as the input and large:
     * YOLOX-nano's CSP 1×1 pairs on 104² to 26² (1.07–1.22), ResNet-50's first projection with conv1 (320 outputs
     * from 64 inputs on 56², 1.9).
     */
    static boolean pays(ConvGeometry g, int[] outChannels, boolean intoConcat) {
        long channels = 0;
        for (int c : outChannels) {
            channels += c;
        }
        long copyBytes = 4L * channels * g.outH() * g.outW() * g.batch();
        return intoConcat || copyBytes <= SMALL_COPY_BYTES
                || 2 * channels < (long) (outChannels.length - 1) * g.patchSize();
    }

    private static Fused fuse(Node anchor, List<ConvolutionFusion.Chain> siblings) {
        int k = siblings.size();
        int[] channels = new int[k];
        PostOps[] posts = new PostOps[k];
        // The anchor first: the step is reported under it and runs where it stood.
        List<Node> nodes = new ArrayList<>();
        for (ConvolutionFusion.Chain c : siblings) {
            if (c.conv() == anchor) {
                nodes.addAll(c.nodes());
            }
        }
        List<Value> outputs = new ArrayList<>();
        int total = 0;
        for (int i = 0; i < k; i++) {
            ConvolutionFusion.Chain c = siblings.get(i);
            channels[i] = c.geometry().outChannels();
            posts[i] = c.scaledPost();
            if (c.conv() != anchor) {
                nodes.addAll(c.nodes());
            }
            outputs.add(c.output());
            total += channels[i];
        }
        ConvGeometry g = siblings.get(0).geometry();
        int patch = g.patchSize();
        float[] weights = new float[total * patch];
        for (int i = 0, c0 = 0; i < k; c0 += channels[i], i++) {
            System.arraycopy(siblings.get(i).weights(), 0, weights, c0 * patch, channels[i] * patch);
        }
        ConvGeometry stacked = new ConvGeometry(g.batch(), g.inChannels(), g.inH(), g.inW(), total, g.outH(),
                g.outW(), g.kernelH(), g.kernelW(), g.strideH(), g.strideW(), g.dilationH(), g.dilationW(),
                g.padTop(), g.padLeft(), 1);
        var step = new SiblingConvolutionStep(stacked, weights, PostOps.concatenated(posts, channels), channels);
        return new Fused(nodes, step, List.of(anchor.input(0)), outputs, null, anchor);
    }
}
