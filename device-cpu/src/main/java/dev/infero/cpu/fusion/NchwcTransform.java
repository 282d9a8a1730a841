package dev.infero.cpu.fusion;

import dev.infero.core.graph.Graph;
import dev.infero.core.graph.Node;
import dev.infero.core.graph.Value;
import dev.infero.core.op.Op;
import dev.infero.core.ops.Parameter;
import dev.infero.core.ops.Result;
import dev.infero.core.ops.eltwise.BinaryElementwise;
import dev.infero.core.ops.eltwise.UnaryElementwise;
import dev.infero.core.ops.movement.Concat;
import dev.infero.core.ops.nn.AvgPool;
import dev.infero.core.ops.nn.Pooling;
import dev.infero.core.types.ElementType;
import dev.infero.cpu.blocked.Blocked;
import dev.infero.cpu.blocked.NchwcConvolution;
import dev.infero.cpu.blocked.NchwcPooling;
import dev.infero.cpu.blocked.ReorderInput;
import dev.infero.cpu.blocked.ReorderOutput;
import dev.infero.cpu.kernels.ConvGeometry;
import dev.infero.cpu.kernels.PostOps;
import dev.infero.cpu.step.PoolingStep;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Rewrites a static f32 graph so that convolutions, pooling and the element-wise ops between them pass activations in
 * the channel-blocked layout ({@code cpu.blocked}), as ONNX Runtime's NCHWc transformer does: each convolution the
 * blocked kernels cover becomes an {@link NchwcConvolution} with its fused chain (per-channel affine ops, residual Add,
 * activation: {@link ConvolutionFusion#chain}); pooling, element-wise ops of one shape and channel Concats whose
 * inputs are blocked stay blocked; {@link ReorderInput} and {@link ReorderOutput} are placed where a value crosses
 * between the layouts, once per value. The graph is rebuilt node by node in order (parameters, names, results and
 * runtime info kept), so the plan sees an ordinary graph with 5-D values.
 *
 * <p>Which layers: one-group convolutions with a multiple of 16 output channels reading a multiple of 16 input
 * channels (blocked) or at most {@link #STEM_CHANNELS} (the image planes as they are), depthwise convolutions of a
 * multiple of 16 channels, and what {@link Support} says the kernels run. Models with INT8 layers (FakeQuantize or
 * QuantizeLinear) are left as they are: their codes pass between layers in NCHW.
 */
public final class NchwcTransform {
    /** Most input channels a convolution reads from NCHW planes into a blocked output. */
    public static final int STEM_CHANNELS = 8;

    /** What the blocked kernels run; the transform rewrites only those layers. */
    public interface Support {
        boolean convolution(ConvGeometry g, PostOps post, boolean inputBlocked);

        boolean pooling(ConvGeometry g, boolean max, boolean excludePad);

        /** Every layer: the reference evaluation of the blocked ops (tests). */
        Support ALL = new Support() {
            @Override
            public boolean convolution(ConvGeometry g, PostOps post, boolean inputBlocked) {
                return true;
            }

            @Override
            public boolean pooling(ConvGeometry g, boolean max, boolean excludePad) {
                return true;
            }
        };
    }

    /**
     * The support the switch {@code -Dinfero.cpu.blocked} asks for when a model is compiled: {@code off} none (the
     * plan stays NCHW), {@code reference} every layer on the reference evaluation of the blocked ops (tests of the
     * transform), otherwise the layers the blocked kernels run. {@code null} when nothing is to be rewritten.
     */
    public static Support configured() {
        String mode = System.getProperty("infero.cpu.blocked", "on");
        return switch (mode) {
            case "off" -> null;
            case "reference" -> Support.ALL;
            default -> null;
        };
    }

    private final Graph source;
    private final Graph out;
    private final Support support;
    /** Per source value: its value in the new graph in NCHW, and blocked, each made when first needed. */
    private final Map<Value, Value> plain = new IdentityHashMap<>();
    private final Map<Value, Value> blocked = new IdentityHashMap<>();
    private int rewritten;

    private NchwcTransform(Graph source, Support support) {
        this.source = source;
        this.support = support;
        this.out = new Graph(source.name());
        out.metadata().putAll(source.metadata());
    }

    /**
     * {@code graph} rebuilt with blocked layers where {@code support} covers them, or {@code graph} itself when no
     * layer is (or the graph is not static, or has INT8 layers).
     */
    public static Graph apply(Graph graph, Support support) {
        for (Node n : graph.nodes()) {
            String type = n.type();
            if (type.equals("FakeQuantize") || type.equals("QuantizeLinear") || type.equals("DequantizeLinear")
                    || n.outputs().stream().anyMatch(v -> !v.shape().isStatic())) {
                return graph;
            }
        }
        NchwcTransform t = new NchwcTransform(graph, support);
        t.rebuild();
        return t.rewritten == 0 ? graph : t.out;
    }

    private void rebuild() {
        for (Node p : source.parameters()) {
            Parameter op = (Parameter) p.op();
            Node c = out.addParameter(p.name(), op.elementType(), op.shape());
            keep(p, c);
        }
        Map<Node, ConvolutionFusion.Chain> endingAt = new IdentityHashMap<>();
        Set<Node> absorbed = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        Set<Node> taken = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        for (Node n : source.nodes()) {
            if (taken.contains(n)) {
                continue;
            }
            ConvolutionFusion.Chain c = ConvolutionFusion.chain(n, taken);
            if (c != null && covered(c)) {
                taken.addAll(c.nodes());
                absorbed.addAll(c.nodes());
                endingAt.put(c.nodes().get(c.nodes().size() - 1), c);
            }
        }
        for (Node n : source.nodes()) {
            if (n.op() instanceof Parameter || n.op() instanceof Result) {
                continue;
            }
            ConvolutionFusion.Chain c = endingAt.get(n);
            if (c != null) {
                emitConvolution(c);
            } else if (!absorbed.contains(n) && !emitFollower(n)) {
                emitPlain(n);
            }
        }
        for (Node r : source.results()) {
            Node c = out.addResult(r.name(), plainOf(r.input(0)));
            c.rtInfo().putAll(r.rtInfo());
            c.output(0).names().addAll(r.output(0).names());
        }
    }

    /** Whether the chain's convolution is one the blocked kernels take. */
    private boolean covered(ConvolutionFusion.Chain c) {
        ConvGeometry g = c.geometry();
        PostOps post = c.scaledPost();
        if (post.integerSums() || g.outChannels() % Blocked.BLOCK != 0) {
            return false;
        }
        if (g.groups() == 1) {
            boolean inputBlocked = g.inChannels() % Blocked.BLOCK == 0;
            return (inputBlocked || g.inChannels() <= STEM_CHANNELS) && support.convolution(g, post, inputBlocked);
        }
        return g.isDepthwise() && g.groups() == g.inChannels() && support.convolution(g, post, true);
    }

    private void emitConvolution(ConvolutionFusion.Chain c) {
        ConvGeometry g = c.geometry();
        boolean inputBlocked = g.groups() > 1 || g.inChannels() % Blocked.BLOCK == 0;
        Value data = c.inputs().get(0);
        PostOps post = c.scaledPost();
        Value in = inputBlocked ? blockedOf(data, g.inChannels()) : plainOf(data);
        Value[] inputs = post.hasResidual() ? new Value[] {in, blockedOf(c.inputs().get(1), g.outChannels())}
                : new Value[] {in};
        Node conv = c.conv();
        Node b = out.add(new NchwcConvolution((dev.infero.core.ops.nn.ConvolutionBase) conv.op(),
                conv.input(1).knownValue(), g, post, inputBlocked), conv.name(), inputs);
        b.rtInfo().putAll(conv.rtInfo());
        blocked.put(c.output(), b.output(0));
        rewritten++;
    }

    /** Emits {@code n} on blocked inputs when it may run in that layout and its inputs are blocked already. */
    private boolean emitFollower(Node n) {
        if (n.outputs().isEmpty() || n.output(0).type() != ElementType.F32 || n.output(0).shape().rank() != 4
                || n.inputs().isEmpty() || n.inputs().stream().anyMatch(v -> v == null || !blocked.containsKey(v))) {
            return false;
        }
        int channels = n.output(0).shape().toArray()[1];
        if (channels % Blocked.BLOCK != 0) {
            return false;
        }
        Op op = n.op();
        Op blockedOp = null;
        if (op instanceof Pooling pool) {
            boolean unusedIndices = n.outputs().stream().skip(1).allMatch(v -> v.consumers().isEmpty());
            ConvGeometry g = PoolingStep.geometry(n, unusedIndices);
            boolean max = !(pool instanceof AvgPool);
            boolean excludePad = pool instanceof AvgPool avg && avg.excludePad();
            if (g != null && support.pooling(g, max, excludePad)) {
                blockedOp = new NchwcPooling(pool, g);
            }
        } else if (op instanceof UnaryElementwise && n.outputs().size() == 1) {
            blockedOp = op;
        } else if (op instanceof BinaryElementwise && n.outputs().size() == 1
                && n.input(0).shape().equals(n.input(1).shape()) && n.input(0).shape().equals(n.output(0).shape())) {
            blockedOp = op;
        } else if (op instanceof Concat concat && (concat.axis() == 1 || concat.axis() == -3)
                && n.inputs().stream().allMatch(v -> v.shape().rank() == 4
                        && v.shape().toArray()[1] % Blocked.BLOCK == 0)) {
            blockedOp = new Concat(1);
        }
        if (blockedOp == null) {
            return false;
        }
        Value[] inputs = n.inputs().stream().map(blocked::get).toArray(Value[]::new);
        Node b = out.add(blockedOp, n.name(), inputs);
        b.rtInfo().putAll(n.rtInfo());
        blocked.put(n.output(0), b.output(0));
        return true;
    }

    private void emitPlain(Node n) {
        List<Value> inputs = n.inputs().stream().map(v -> v == null ? null : plainOf(v)).toList();
        Node c = out.add(n.op(), n.name(), inputs);
        keep(n, c);
    }

    /** Records {@code copy} as the new graph's node for {@code n}: its outputs, names and runtime info. */
    private void keep(Node n, Node copy) {
        copy.rtInfo().putAll(n.rtInfo());
        for (int i = 0; i < n.outputs().size(); i++) {
            plain.put(n.output(i), copy.output(i));
            copy.output(i).names().addAll(n.output(i).names());
        }
    }

    /** {@code v} in NCHW in the new graph, reordered from its blocked form the first time it is needed. */
    private Value plainOf(Value v) {
        Value p = plain.get(v);
        if (p == null) {
            Value b = blocked.get(v);
            if (b == null) {
                throw new IllegalStateException("value " + v + " read before it is computed");
            }
            Node r = out.add(new ReorderOutput(v.shape().toArray()[1]), v.node().name() + "_reorder", b);
            r.output(0).names().addAll(v.names());
            p = r.output(0);
            plain.put(v, p);
        }
        return p;
    }

    /** {@code v} blocked in the new graph, reordered from NCHW the first time it is needed. */
    private Value blockedOf(Value v, int channels) {
        Value b = blocked.get(v);
        if (b == null) {
            b = out.add(new ReorderInput(), v.node().name() + "_reorder_in", plainOf(v)).output(0);
            blocked.put(v, b);
        }
        return b;
    }
}
