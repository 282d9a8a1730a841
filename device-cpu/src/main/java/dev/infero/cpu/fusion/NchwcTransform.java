package dev.infero.cpu.fusion;

import dev.infero.core.graph.Graph;
import dev.infero.core.graph.Node;
import dev.infero.core.graph.Value;
import dev.infero.core.op.Op;
import dev.infero.core.ops.Parameter;
import dev.infero.core.ops.Result;
import dev.infero.core.ops.activation.VectorActivation;
import dev.infero.core.ops.eltwise.Abs;
import dev.infero.core.ops.eltwise.Add;
import dev.infero.core.ops.eltwise.BinaryElementwise;
import dev.infero.core.ops.eltwise.Maximum;
import dev.infero.core.ops.eltwise.Minimum;
import dev.infero.core.ops.eltwise.Multiply;
import dev.infero.core.ops.eltwise.Negative;
import dev.infero.core.ops.eltwise.Subtract;
import dev.infero.core.ops.eltwise.Tanh;
import dev.infero.core.ops.eltwise.UnaryElementwise;
import dev.infero.core.ops.movement.Concat;
import dev.infero.core.ops.image.Interpolate;
import dev.infero.core.ops.nn.Pooling;
import dev.infero.core.ops.reduce.ReduceMax;
import dev.infero.core.ops.reduce.ReduceMean;
import dev.infero.core.ops.reduce.ReduceMin;
import dev.infero.core.ops.reduce.Reduction;
import dev.infero.core.types.ElementType;
import dev.infero.cpu.blocked.Blocked;
import dev.infero.cpu.blocked.NchwcConvolution;
import dev.infero.cpu.blocked.NchwcPooling;
import dev.infero.cpu.blocked.NchwcResize;
import dev.infero.cpu.blocked.ReorderInput;
import dev.infero.cpu.blocked.ReorderOutput;
import dev.infero.cpu.jit.Jit;
import dev.infero.cpu.kernels.BlockedConv;
import dev.infero.cpu.kernels.BlockedDepthwise;
import dev.infero.cpu.kernels.BlockedPool;
import dev.infero.cpu.kernels.ConvGeometry;
import dev.infero.cpu.kernels.PostOps;
import dev.infero.cpu.step.NearestResizeStep;
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
 * <p>Which layers: one-group convolutions (reading the input blocked, or the NCHW planes when it has at most
 * {@link #STEM_CHANNELS} channels: stems) and depthwise convolutions that {@link Support} says the kernels run. A
 * channel count that is not a multiple of 16 leaves lanes of the last block padded; element-wise ops pass them on
 * only when they keep finite values finite, and a Concat stays blocked only when every input but the last fills
 * whole blocks. Models with INT8 layers (FakeQuantize or
 * QuantizeLinear) are left as they are: their codes pass between layers in NCHW.
 */
public final class NchwcTransform {
    /** Most input channels a convolution reads from NCHW planes into a blocked output. */
    public static final int STEM_CHANNELS = 8;

    /** What the blocked kernels run; the transform rewrites only those layers. */
    public interface Support {
        boolean convolution(ConvGeometry g, float[] weights, PostOps post, boolean inputBlocked);

        boolean pooling(NchwcPooling pooling);

        /**
         * Whether a region of blocked layers must pay for its reorders ({@link #unprofitable}); the test support
         * {@link #ALL} rewrites everything.
         */
        default boolean gated() {
            return true;
        }

        /** The layers the blocked kernels of this machine run ({@code null} from their factories: not covered). */
        Support KERNELS = new Support() {
            @Override
            public boolean convolution(ConvGeometry g, float[] weights, PostOps post, boolean inputBlocked) {
                return g.groups() == 1 ? BlockedConv.of(g, weights, post, inputBlocked) != null
                        : inputBlocked && BlockedDepthwise.of(g, weights, post) != null;
            }

            @Override
            public boolean pooling(NchwcPooling p) {
                // AVX2's max keeps NaN with a compare and blend per tap, and SPP's 5×5 to 13×13 windows do not fit its
                // registers column by column: 1.4–6× the NCHW kernel there (docs/jit.md, "Channel-blocked depthwise
                // convolution, pooling and reorders"); 3×3 and smaller run as fast.
                if (p.isMax() && Jit.isa("blocked") == Jit.Isa.AVX2
                        && p.geometry().kernelH() * p.geometry().kernelW() > 9) {
                    return false;
                }
                return (p.isMax() ? BlockedPool.max(p.geometry())
                        : BlockedPool.average(p.geometry(), p.excludePad(), p.padBottom(), p.padRight())) != null;
            }
        };

        /**
         * Every layer (tests of the transform): where a blocked kernel does not take a layer, its step is the
         * reference evaluation of the blocked op.
         */
        Support ALL = new Support() {
            @Override
            public boolean convolution(ConvGeometry g, float[] weights, PostOps post, boolean inputBlocked) {
                return true;
            }

            @Override
            public boolean pooling(NchwcPooling p) {
                return true;
            }

            @Override
            public boolean gated() {
                return false;
            }
        };
    }

    /**
     * The support the switch {@code -Dinfero.cpu.blocked} asks for when a model is compiled: {@code off} none (the
     * plan stays NCHW), {@code on} (the default) the layers the blocked kernels run in regions that pay for their
     * reorders, {@code all} every layer it can express, on the blocked kernels where they take it and the reference
     * evaluation of the blocked ops elsewhere (tests of the transform), {@code ungated} the layers the blocked kernels run
     * without the cost rule (tests). {@code null} when nothing is to be rewritten.
     */
    public static Support configured() {
        String mode = System.getProperty("infero.cpu.blocked", "on");
        return switch (mode) {
            case "off" -> null;
            case "all" -> Support.ALL;
            case "ungated" -> UNGATED;
            case "on" -> Support.KERNELS;
            default -> throw new IllegalArgumentException("infero.cpu.blocked must be off, on, ungated or all, got '"
                    + mode + "'");
        };
    }

    /** {@link Support#KERNELS} without the cost rule: every layer the kernels take (tests of the kernels in plans). */
    private static final Support UNGATED = new Support() {
        @Override
        public boolean convolution(ConvGeometry g, float[] weights, PostOps post, boolean inputBlocked) {
            return Support.KERNELS.convolution(g, weights, post, inputBlocked);
        }

        @Override
        public boolean pooling(NchwcPooling p) {
            return Support.KERNELS.pooling(p);
        }

        @Override
        public boolean gated() {
            return false;
        }
    };

    private final Graph source;
    private final Graph out;
    private final Support support;
    /** Per source value: its value in the new graph in NCHW, and blocked, each made when first needed. */
    private final Map<Value, Value> plain = new IdentityHashMap<>();
    private final Map<Value, Value> blocked = new IdentityHashMap<>();
    private int rewritten;
    /** Convolutions of the source graph left in NCHW: their region did not pay for its reorders. */
    private final Set<Node> excluded;
    /** Per blocked convolution of the new graph, the source convolution and the time it is estimated to save. */
    private final Map<Node, Node> sourceOf = new IdentityHashMap<>();
    private final Map<Node, Double> savedNanos = new IdentityHashMap<>();
    /** Per convolution taken, whether it reads its input blocked ({@link #readsBlocked}). */
    private final Map<Node, Boolean> readsBlocked = new IdentityHashMap<>();

    private NchwcTransform(Graph source, Support support, Set<Node> excluded) {
        this.source = source;
        this.support = support;
        this.excluded = excluded;
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
        Set<Node> excluded = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        while (true) {
            NchwcTransform t = new NchwcTransform(graph, support, excluded);
            t.rebuild();
            if (t.rewritten == 0) {
                return graph;
            }
            Set<Node> drop = support.gated() ? t.unprofitable() : Set.of();
            if (drop.isEmpty()) {
                return t.out;
            }
            // Each round leaves at least one more convolution in NCHW: it ends.
            excluded.addAll(drop);
        }
    }

    /** One-group convolutions: the blocked kernels' time saved, as a share of the NCHW layer's time (measured 0.5–0.9). */
    private static final double CONV_SAVING = 0.2;
    /** Depthwise convolutions (memory-bound): the share saved (measured 0.57–0.97 of the NCHW kernel). */
    private static final double DEPTHWISE_SAVING = 0.2;
    /** The NCHW convolutions' typical rate, FLOP per nanosecond (150 GFLOPS). */
    private static final double CONV_FLOPS_PER_NANO = 150;
    /** Bytes per nanosecond of memory-bound steps (reorders, depthwise): reads plus writes. */
    private static final double BYTES_PER_NANO = 20;
    /** A step's own cost (its dispatch, cold cache lines at its edges), nanoseconds. */
    private static final double STEP_NANOS = 500;

    /**
     * The source convolutions of each region of blocked layers (connected through blocked values) whose estimated
     * saving does not pay for the reorders at its edges: a conversion in and out costs two passes over the value,
     * so a short run of small layers between NCHW-only ops (channel shuffles, channel padding) is faster left in
     * NCHW.
     */
    private Set<Node> unprofitable() {
        Set<Value> blockedValues = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        blockedValues.addAll(blocked.values());
        Map<Node, Node> parent = new IdentityHashMap<>();
        for (Node n : out.nodes()) {
            if (n.op() instanceof ReorderOutput || n.outputs().size() == 1 && blockedValues.contains(n.output(0))
                    && !n.output(0).isKnown()) {
                parent.put(n, n);
            }
        }
        for (Node n : parent.keySet()) {
            for (Value v : n.inputs()) {
                if (v != null && blockedValues.contains(v) && parent.containsKey(v.node())) {
                    union(parent, n, v.node());
                }
            }
        }
        Map<Node, double[]> regions = new IdentityHashMap<>();
        for (Node n : parent.keySet()) {
            double[] r = regions.computeIfAbsent(find(parent, n), k -> new double[2]);
            r[0] += savedNanos.getOrDefault(n, 0.0);
            if (n.op() instanceof ReorderInput || n.op() instanceof ReorderOutput) {
                long elements = dev.infero.core.types.Shapes.size(n.input(0).shape().toArray());
                r[1] += 8.0 * elements / BYTES_PER_NANO + STEP_NANOS;
            }
        }
        Set<Node> drop = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        for (Node n : parent.keySet()) {
            double[] r = regions.get(find(parent, n));
            if (r[0] < r[1] && sourceOf.containsKey(n)) {
                drop.add(sourceOf.get(n));
            }
        }
        return drop;
    }

    private static Node find(Map<Node, Node> parent, Node n) {
        Node p = parent.get(n);
        while (p != parent.get(p)) {
            p = parent.get(p);
        }
        parent.put(n, p);
        return p;
    }

    private static void union(Map<Node, Node> parent, Node a, Node b) {
        parent.put(find(parent, a), find(parent, b));
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
        Set<Value> blockedChains = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        for (Node n : source.nodes()) {
            if (taken.contains(n)) {
                continue;
            }
            ConvolutionFusion.Chain c = excluded.contains(n) ? null : ConvolutionFusion.chain(n, taken);
            if (c != null && covered(c, readsBlocked(c, blockedChains))) {
                blockedChains.add(c.output());
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

    /** Whether the chain's convolution is one the blocked kernels take, reading its input blocked or not. */
    private boolean covered(ConvolutionFusion.Chain c, boolean inputBlocked) {
        ConvGeometry g = c.geometry();
        PostOps post = c.scaledPost();
        if (post.integerSums()) {
            return false;
        }
        if (g.groups() == 1) {
            return support.convolution(g, c.weights(), post, inputBlocked);
        }
        return g.isDepthwise() && g.groups() == g.inChannels() && support.convolution(g, c.weights(), post, true);
    }

    /**
     * Whether the chain's convolution reads its input blocked: always when depthwise, else when it has more than
     * {@link #STEM_CHANNELS} channels or is the output of a blocked convolution chain before it (a squeeze-and-
     * excitation gate's second 1×1); else the NCHW planes (stems).
     */
    private boolean readsBlocked(ConvolutionFusion.Chain c, Set<Value> blockedChains) {
        ConvGeometry g = c.geometry();
        boolean blocked = g.groups() > 1 || g.inChannels() > STEM_CHANNELS || blockedChains.contains(c.inputs().get(0));
        readsBlocked.put(c.conv(), blocked);
        return blocked;
    }

    private void emitConvolution(ConvolutionFusion.Chain c) {
        ConvGeometry g = c.geometry();
        boolean inputBlocked = readsBlocked.get(c.conv());
        Value data = c.inputs().get(0);
        PostOps post = c.scaledPost();
        Value in = inputBlocked ? blockedOf(data, g.inChannels()) : plainOf(data);
        Value[] inputs = post.hasResidual() ? new Value[] {in, blockedOf(c.inputs().get(1), g.outChannels())}
                : new Value[] {in};
        Node conv = c.conv();
        Node b = out.add(new NchwcConvolution((dev.infero.core.ops.nn.ConvolutionBase) conv.op(),
                conv.input(1).knownValue(), g, post, inputBlocked, c.nodes().subList(1, c.nodes().size())),
                conv.name(), inputs);
        b.rtInfo().putAll(conv.rtInfo());
        blocked.put(c.output(), b.output(0));
        sourceOf.put(b, conv);
        savedNanos.put(b, g.groups() == 1 ? CONV_SAVING * g.flops() / CONV_FLOPS_PER_NANO
                : DEPTHWISE_SAVING * g.activationBytes() / BYTES_PER_NANO);
        rewritten++;
    }

    /**
     * Emits {@code n} on blocked inputs when it may run in that layout and its data is blocked already: pooling,
     * element-wise ops (a broadcast over the spatial axes included: a squeeze-and-excitation gate [N, C, 1, 1] is
     * [N, Cb, 1, 1, 16] blocked, and numpy broadcasting of the 5-D shapes gives the same pairs), reductions over the
     * spatial axes that keep them (global pooling), channel Concats.
     */
    private boolean emitFollower(Node n) {
        // One output, or a MaxPool-8 whose indices nobody reads (OpenVINO IRs write MaxPool-8 for every max pooling).
        boolean extraOutputsUnused = n.outputs().stream().skip(1).allMatch(v -> v.consumers().isEmpty());
        if (n.outputs().isEmpty() || n.outputs().size() > 1 && !(n.op() instanceof Pooling && extraOutputsUnused)
                || n.output(0).type() != ElementType.F32 || n.output(0).shape().rank() != 4 || n.inputs().isEmpty()
                || n.input(0) == null) {
            return false;
        }
        // Padded lanes (channels not a multiple of 16) hold finite values only as long as every op keeps finite
        // values finite: pooling, the activations and Add/Subtract/Multiply/Maximum/Minimum do; Divide, Log or Exp
        // might not, and a non-finite padded lane would turn a convolution's zero weight into NaN.
        boolean padded = n.output(0).shape().toArray()[1] % Blocked.BLOCK != 0;
        Op op = n.op();
        Op blockedOp = null;
        Value[] inputs = null;
        if (op instanceof Pooling pool && blocked.containsKey(n.input(0))) {
            ConvGeometry g = PoolingStep.geometry(n, true);
            NchwcPooling p = g == null ? null : new NchwcPooling(pool, g);
            if (p != null && support.pooling(p)) {
                blockedOp = p;
                inputs = new Value[] {blocked.get(n.input(0))};
            }
        } else if (op instanceof UnaryElementwise && n.inputs().size() == 1 && blocked.containsKey(n.input(0))
                && (!padded || keepsFinite(op))) {
            blockedOp = op;
            inputs = new Value[] {blocked.get(n.input(0))};
        } else if (op instanceof Reduction reduction && reduction.keepDims() && n.inputs().size() == 2
                && (!padded || op instanceof ReduceMean || op instanceof ReduceMax || op instanceof ReduceMin)
                && blocked.containsKey(n.input(0)) && spatialAxes(n.input(1))) {
            // Over H and W of [N, Cb, H, W, 16]: one mean (max, sum...) per lane, that is per channel.
            blockedOp = op;
            inputs = new Value[] {blocked.get(n.input(0)), out.addConstant(n.name() + "_axes",
                    dev.infero.core.tensor.Tensor.vector(2, 3)).output(0)};
        } else if (op instanceof BinaryElementwise && n.inputs().size() == 2 && (!padded || keepsFinite(op))
                && spatialBroadcast(n) && (blocked.containsKey(n.input(0)) || blocked.containsKey(n.input(1)))
                && known(n.input(0), n.input(1))) {
            blockedOp = op;
            int channels = n.output(0).shape().toArray()[1];
            inputs = new Value[] {blockedOf(n.input(0), channels), blockedOf(n.input(1), channels)};
        } else if (op instanceof Interpolate resize && blocked.containsKey(n.input(0))
                && NearestResizeStep.of(n) != null) {
            // Nearest upsampling (FPNs): each output pixel's 16 lanes copied from the input pixel the op picks.
            dev.infero.core.tensor.Tensor[] constants = new dev.infero.core.tensor.Tensor[n.inputs().size()];
            for (int i = 1; i < constants.length; i++) {
                constants[i] = n.input(i) == null ? null : n.input(i).knownValue();
            }
            blockedOp = new NchwcResize(resize, constants, n.input(0).shape().toArray(),
                    n.output(0).shape().toArray());
            inputs = new Value[] {blocked.get(n.input(0))};
        } else if (op instanceof Concat concat && (concat.axis() == 1 || concat.axis() == -3)
                && n.inputs().stream().allMatch(v -> v != null && blocked.containsKey(v))
                && n.inputs().subList(0, n.inputs().size() - 1).stream()
                        .allMatch(v -> v.shape().toArray()[1] % Blocked.BLOCK == 0)) {
            // Blocks concatenate as channels do when every input but the last fills whole blocks.
            blockedOp = new Concat(1);
            inputs = n.inputs().stream().map(blocked::get).toArray(Value[]::new);
        }
        if (blockedOp == null) {
            return false;
        }
        Node b = out.add(blockedOp, n.name(), inputs);
        b.rtInfo().putAll(n.rtInfo());
        blocked.put(n.output(0), b.output(0));
        return true;
    }

    /** Whether each of {@code values} is blocked already, a constant, or computed in NCHW (then reordered in). */
    private boolean known(Value... values) {
        for (Value v : values) {
            if (v == null || !(blocked.containsKey(v) || plain.containsKey(v) || v.isKnown())) {
                return false;
            }
        }
        return true;
    }

    /** Whether a reduction's axes are the spatial axes of a 4-D tensor, 2 and 3 (or -2 and -1), in any order. */
    private static boolean spatialAxes(Value axes) {
        if (axes == null || !axes.isKnown() || axes.knownValue().size() != 2) {
            return false;
        }
        java.util.Set<Long> set = new HashSet<>();
        for (int i = 0; i < 2; i++) {
            long a = axes.knownValue().getLong(i);
            set.add(a < 0 ? a + 4 : a);
        }
        return set.equals(java.util.Set.of(2L, 3L));
    }

    /**
     * Whether both inputs of a binary op are 4-D of the output's batch and channels, each spatial axis the output's or
     * 1: then the blocked 5-D shapes broadcast as the 4-D ones do.
     */
    private static boolean spatialBroadcast(Node n) {
        int[] o = n.output(0).shape().toArray();
        for (Value v : n.inputs()) {
            if (v == null || v.type() != ElementType.F32 || !v.shape().isStatic() || v.shape().rank() != 4) {
                return false;
            }
            int[] s = v.shape().toArray();
            if (s[0] != o[0] || s[1] != o[1] || (s[2] != o[2] && s[2] != 1) || (s[3] != o[3] && s[3] != 1)) {
                return false;
            }
        }
        return true;
    }

    /** Whether {@code op} maps finite inputs to finite outputs (what a padded lane may pass through). */
    private static boolean keepsFinite(Op op) {
        return op instanceof VectorActivation || op instanceof Tanh || op instanceof Abs || op instanceof Negative
                || op instanceof Add || op instanceof Subtract || op instanceof Multiply || op instanceof Maximum
                || op instanceof Minimum;
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

    /**
     * {@code v} blocked in the new graph, reordered from NCHW the first time it is needed (a constant's reorder folds
     * when it is added).
     */
    private Value blockedOf(Value v, int channels) {
        Value b = blocked.get(v);
        if (b == null) {
            b = out.add(new ReorderInput(), v.node().name() + "_reorder_in", plainOf(v)).output(0);
            blocked.put(v, b);
        }
        return b;
    }
}
