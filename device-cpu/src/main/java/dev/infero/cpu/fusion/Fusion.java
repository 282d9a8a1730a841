package dev.infero.cpu.fusion;

import dev.infero.core.graph.Node;
import dev.infero.core.graph.Value;
import dev.infero.cpu.jit.Jit;
import dev.infero.cpu.step.CodesWriter;
import dev.infero.cpu.step.ConvolutionStep;
import dev.infero.cpu.step.QuantizedConvolutionStep;
import java.util.ArrayList;
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
     * included), and the absorbed FakeQuantizes, which run inside the steps that read their input.
     */
    public record Chains(Map<Node, Fused> endingAt, Set<Node> absorbed, Set<Node> absorbedQuantizers) {
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
        passCodes(absorbedQuantizers, endingAt);
        return new Chains(endingAt, absorbed, absorbedQuantizers.keySet());
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
     */
    private static void passCodes(Map<Node, List<Fused>> absorbedQuantizers, Map<Node, Fused> endingAt) {
        Map<Value, Node> producerEnd = new IdentityHashMap<>();
        for (var e : endingAt.entrySet()) {
            producerEnd.put(e.getValue().output(), e.getKey());
        }
        for (var e : absorbedQuantizers.entrySet()) {
            Node fq = e.getKey();
            Value before = fq.input(0);
            Node producer = producerEnd.get(before);
            boolean writes = producer != null && endingAt.get(producer).step() instanceof CodesWriter<?> k
                    && k.canWriteCodes() && before.consumers().size() == 1;
            boolean read = e.getValue().stream().allMatch(m -> m.step() instanceof QuantizedConvolutionStep
                    || m.step() instanceof ConvolutionStep c && c.canReadCodes());
            var codes = writes && read ? Int8Patterns.channelQuantizers(fq) : null;
            if (codes == null) {
                continue;
            }
            Fused p = endingAt.get(producer);
            endingAt.put(producer, p.withStep(((CodesWriter<?>) p.step()).writingCodes(codes)));
            for (Fused m : e.getValue()) {
                // The step as it is now: it may already write the codes of the FakeQuantize after it.
                Node end = m.at();
                Fused now = endingAt.get(end);
                endingAt.put(end, now.withStep(now.step() instanceof QuantizedConvolutionStep q ? q.readingCodes()
                        : ((ConvolutionStep) now.step()).readingCodes()));
            }
            passQuads(producer, e.getValue(), endingAt);
        }
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
