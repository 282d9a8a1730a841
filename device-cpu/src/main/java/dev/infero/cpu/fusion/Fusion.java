package dev.infero.cpu.fusion;

import dev.infero.core.graph.Node;
import dev.infero.core.graph.Value;
import dev.infero.core.ops.movement.Concat;
import dev.infero.core.ops.nn.MaxPool;
import dev.infero.core.types.ElementType;
import dev.infero.core.types.Shapes;
import dev.infero.cpu.jit.Jit;
import dev.infero.cpu.kernels.ActivationQuantizer;
import dev.infero.cpu.kernels.ConvGeometry;
import dev.infero.cpu.step.CodesWriter;
import dev.infero.cpu.step.ConvolutionStep;
import dev.infero.cpu.step.PoolingStep;
import dev.infero.cpu.step.QuantizedConvolutionStep;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Fusion of a graph about to be planned: each node, in order, is offered to the patterns
 * ({@link SiblingConvolutionFusion}, {@link ConvolutionFusion},
 * {@link MatMulFusion}, {@link DeconvolutionFusion}, {@link TransposeFusion},
 * {@link EltwiseChainFusion}); a match claims its nodes. Then the INT8 wiring: FakeQuantizes
 * that every reader applies itself are absorbed, and where a step's output is quantized for INT8 steps only, it
 * writes the codes and they read them as they are.
 */
public final class Fusion {
    private Fusion() {
    }

    /**
     * What fusion decided: the chain ending at each node, every node a chain covers (absorbed FakeQuantizes
     * included), the absorbed FakeQuantizes, which run inside the steps that read their input, and the Concats and
     * MaxPools the codes pass through (they run as they are, on codes: their exec type says so).
     */
    public record Chains(Map<Node, Fused> endingAt, Set<Node> absorbed, Set<Node> absorbedQuantizers,
                         Set<Node> onCodes) {
    }

    /** Fused chains over {@code computed}, the nodes of a graph that run, in topological order. */
    public static Chains find(List<Node> computed) {
        Map<Node, Fused> endingAt = new IdentityHashMap<>();
        Set<Node> absorbed = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Node n : computed) {
            if (absorbed.contains(n)) {
                continue;
            }
            Fused m = SiblingConvolutionFusion.match(n, absorbed);
            if (m == null) {
                m = ConvolutionFusion.match(n, absorbed);
            }
            if (m == null) {
                m = MatMulFusion.match(n, absorbed);
            }
            if (m == null) {
                m = DeconvolutionFusion.match(n, absorbed);
            }
            if (m == null) {
                m = TransposeFusion.match(n, absorbed);
            }
            if (m == null) {
                m = EltwiseChainFusion.match(n, absorbed);
            }
            if (m != null) {
                absorbed.addAll(m.nodes());
                endingAt.put(m.at(), m);
            }
        }
        Map<Node, List<Fused>> absorbedQuantizers = absorbQuantizers(endingAt, absorbed);
        Set<Node> onCodes = Collections.newSetFromMap(new IdentityHashMap<>());
        passCodes(absorbedQuantizers, endingAt, absorbed, onCodes);
        return new Chains(endingAt, absorbed, absorbedQuantizers.keySet(), onCodes);
    }

    /**
     * FakeQuantizes whose every reader is a chain that quantizes the value before it itself (INT8 convolutions and
     * matrix products, depthwise convolutions of codes) do not run: they are added to {@code absorbed} and returned
     * with their readers. One with any other reader runs as it is, in float, for those readers.
     */
    private static Map<Node, List<Fused>> absorbQuantizers(Map<Node, Fused> endingAt, Set<Node> absorbed) {
        Map<Node, List<Fused>> readers = new IdentityHashMap<>();
        for (Fused m : endingAt.values()) {
            if (m.quantizer() != null && !m.inputs().contains(m.quantizer().output(0))) {
                readers.computeIfAbsent(m.quantizer(), k -> new ArrayList<>()).add(m);
            }
        }
        readers.entrySet().removeIf(e -> e.getKey().output(0).consumers().size() != e.getValue().size());
        absorbed.addAll(readers.keySet());
        return readers;
    }

    /**
     * Where an absorbed FakeQuantize sits between a convolution and INT8 convolutions or depthwise convolutions of
     * codes only (MobileNet blocks: 1×1, depthwise, 1×1; ResNet bottlenecks: 1×1, 3×3, 1×1), the convolution writes the
     * codes in place of its output, quantizing each row while it is in cache (in the generated tiles' registers), and
     * the readers take them as they are, instead of each quantizing its input into a buffer of its own.
     * <p>
     * The codes also pass back through the value- and order-preserving ops between the FakeQuantize and its
     * producers ({@link #codeSources}): a channel Concat (each input's producer writes the codes of its channels; a
     * Concat copying codes or holding them in place is exact either way) and a MaxPool (the quantization does not
     * decrease, so max and codes commute: FQ(MaxPool(x)) == MaxPool(FQ(x)) exactly, and padding, -inf, never wins
     * a max) that does not shrink the value (at stride 2 its producer would quantize four times the values its
     * reader does; {@code =all} passes those too). Those ops run as they are on the codes (float tensors of integer
     * codes) and are added to {@code onCodes}. Off with {@code -Dinfero.cpu.int8CodesThrough=off}.
     */
    private static void passCodes(Map<Node, List<Fused>> absorbedQuantizers, Map<Node, Fused> endingAt,
                                  Set<Node> absorbed, Set<Node> onCodes) {
        Map<Value, Node> producerEnd = new IdentityHashMap<>();
        for (var e : endingAt.entrySet()) {
            producerEnd.put(e.getValue().output(), e.getKey());
        }
        Through through = codesThroughOps();
        for (var e : absorbedQuantizers.entrySet()) {
            Node fq = e.getKey();
            Value before = fq.input(0);
            boolean read = e.getValue().stream().allMatch(m -> m.step() instanceof QuantizedConvolutionStep
                    || m.step() instanceof ConvolutionStep c && c.canReadCodes());
            ActivationQuantizer[] codes = read ? Int8Patterns.channelQuantizers(fq) : null;
            List<Source> sources = new ArrayList<>();
            List<Node> passed = new ArrayList<>();
            if (codes == null || !codeSources(before, codes, producerEnd, endingAt, absorbed, through, sources,
                    passed)) {
                continue;
            }
            for (Source src : sources) {
                Fused p = endingAt.get(src.producer());
                endingAt.put(src.producer(), p.withStep(((CodesWriter<?>) p.step()).writingCodes(src.codes())));
            }
            onCodes.addAll(passed);
            for (Fused m : e.getValue()) {
                // The step as it is now: it may already write the codes of the FakeQuantize after it.
                Node end = m.at();
                Fused now = endingAt.get(end);
                endingAt.put(end, now.withStep(now.step() instanceof QuantizedConvolutionStep q ? q.readingCodes()
                        : ((ConvolutionStep) now.step()).readingCodes()));
            }
            if (passed.isEmpty()) {
                passQuads(sources.getFirst().producer(), e.getValue(), endingAt);
            }
        }
    }

    /** A producer that is to write {@code codes}, per channel of its output. */
    private record Source(Node producer, ActivationQuantizer[] codes) {
    }

    /** How far the codes pass back through value-preserving ops ({@code -Dinfero.cpu.int8CodesThrough}). */
    enum Through {
        /** Not at all: only a producer right before the FakeQuantize writes its codes. */
        OFF,
        /** Through Concats and MaxPools whose output has as many elements as their input or more (the default). */
        ON,
        /** Through every Concat and MaxPool, shrinking ones too (for A/B measurements and tests). */
        ALL
    }

    /** {@code -Dinfero.cpu.int8CodesThrough}: on (the default), all or off; anything else is refused. */
    static Through codesThroughOps() {
        String v = System.getProperty("infero.cpu.int8CodesThrough", "on");
        return switch (v) {
            case "on" -> Through.ON;
            case "all" -> Through.ALL;
            case "off" -> Through.OFF;
            default -> throw new IllegalArgumentException("-Dinfero.cpu.int8CodesThrough=" + v
                    + ": expected on, all or off");
        };
    }

    /**
     * Whether every step that computes {@code v} can write its codes ({@code codes}, one per channel of {@code v}),
     * {@code v} being read by one node only (no model output, no float reader): a chain's {@link CodesWriter} (added
     * to {@code sources}), or, with {@code through}, a MaxPool or channel Concat outside any chain whose inputs are
     * such values in turn (added to {@code passed}). Nothing is changed here.
     */
    private static boolean codeSources(Value v, ActivationQuantizer[] codes, Map<Value, Node> producerEnd,
                                       Map<Node, Fused> endingAt, Set<Node> absorbed, Through through,
                                       List<Source> sources, List<Node> passed) {
        if (v.consumers().size() != 1) {
            return false;
        }
        Node end = producerEnd.get(v);
        if (end != null) {
            if (endingAt.get(end).step() instanceof CodesWriter<?> k && k.canWriteCodes()) {
                sources.add(new Source(end, codes));
                return true;
            }
            return false;
        }
        Node n = v.node();
        if (through == Through.OFF || n == null || absorbed.contains(n) || v.index() != 0) {
            return false;
        }
        if (n.op() instanceof MaxPool && maxPoolOnCodes(n) && (through == Through.ALL
                || Shapes.size(n.input(0).shape().toArray()) <= Shapes.size(v.shape().toArray()))) {
            passed.add(n);
            return codeSources(n.input(0), codes, producerEnd, endingAt, absorbed, through, sources, passed);
        }
        if (n.op() instanceof Concat concat && n.outputs().size() == 1 && channelConcat(n, concat, codes.length)) {
            int c0 = 0;
            for (Value x : n.inputs()) {
                int channels = x.shape().dim(1);
                if (!codeSources(x, Arrays.copyOfRange(codes, c0, c0 + channels), producerEnd, endingAt, absorbed,
                        through, sources, passed)) {
                    return false;
                }
                c0 += channels;
            }
            passed.add(n);
            return true;
        }
        return false;
    }

    /**
     * Whether {@code n} is a MaxPool the f32 pooling step runs (values only) whose every window reads at least one
     * input element: a window of padding alone would give -inf, whose code is not the max of no codes.
     */
    private static boolean maxPoolOnCodes(Node n) {
        boolean extraOutputsUnused = n.outputs().stream().skip(1).allMatch(o -> o.consumers().isEmpty());
        // The pooling step takes a MaxPool exactly where it has this geometry (no kernel is built to ask).
        ConvGeometry g = PoolingStep.geometry(n, extraOutputsUnused);
        return n.op() instanceof MaxPool && g != null
                && everyWindowReads(g.inH(), g.outH(), g.kernelH(), g.strideH(), g.dilationH(), g.padTop())
                && everyWindowReads(g.inW(), g.outW(), g.kernelW(), g.strideW(), g.dilationW(), g.padLeft());
    }

    /** Whether each of {@code out} windows along one axis covers an element of the {@code in} real ones. */
    static boolean everyWindowReads(int in, int out, int kernel, int stride, int dilation, int padBegin) {
        for (int o = 0; o < out; o++) {
            int start = o * stride - padBegin;
            boolean reads = false;
            for (int k = 0; k < kernel && !reads; k++) {
                int at = start + k * dilation;
                reads = at >= 0 && at < in;
            }
            if (!reads) {
                return false;
            }
        }
        return true;
    }

    /**
     * Whether {@code n} concatenates rank-4 f32 tensors of static shapes along the channels ({@code channels} in
     * all), each input once.
     */
    private static boolean channelConcat(Node n, Concat concat, int channels) {
        Value out = n.output(0);
        if (out.type() != ElementType.F32 || !out.shape().isStatic() || out.shape().rank() != 4
                || Shapes.normalizeAxis(concat.axis(), 4) != 1 || out.shape().dim(1) != channels) {
            return false;
        }
        int sum = 0;
        for (Value x : n.inputs()) {
            if (x.type() != ElementType.F32 || !x.shape().isStatic() || x.shape().rank() != 4
                    || n.inputs().stream().filter(y -> y == x).count() != 1) {
                return false;
            }
            sum += x.shape().dim(1);
        }
        return sum == channels;
    }

    /**
     * Where the codes pass from a depthwise convolution's generated code to INT8 1×1 layers only (MobileNet and
     * BlazeFace blocks: depthwise, then pointwise), the depthwise code stores each code's u8 level into the byte
     * lanes of the quads the INT8 tiles read ({@code WindowKernel.writingQuads}) and the tiles read them where they
     * are: a quarter of the memory traffic and no packing pass. {@code -Dinfero.jit.u8quads=off} keeps float codes.
     */
    private static void passQuads(Node producer, List<Fused> readers, Map<Node, Fused> endingAt) {
        if (Jit.switchedOff("u8quads") || !(endingAt.get(producer).step() instanceof ConvolutionStep dw)
                || !dw.canWriteQuads()) {
            return;
        }
        for (Fused m : readers) {
            if (!(endingAt.get(m.at()).step() instanceof QuantizedConvolutionStep q) || !q.canReadQuads()) {
                return;
            }
        }
        endingAt.put(producer, endingAt.get(producer).withStep(dw.writingQuads()));
        for (Fused m : readers) {
            Fused now = endingAt.get(m.at());
            endingAt.put(m.at(), now.withStep(((QuantizedConvolutionStep) now.step()).readingQuads()));
        }
    }
}
