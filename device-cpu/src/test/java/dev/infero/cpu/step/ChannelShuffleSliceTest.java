package dev.infero.cpu.step;

import dev.infero.core.graph.Graph;
import dev.infero.core.graph.Value;
import dev.infero.core.ops.activation.Relu;
import dev.infero.core.ops.movement.Concat;
import dev.infero.core.ops.slicing.StridedSlice;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.cpu.CpuDevice;
import dev.infero.cpu.TwoRuns;
import dev.infero.testing.GraphBuilder;
import dev.infero.testing.RandomData;
import dev.infero.testing.ReferenceRunner;
import dev.infero.testing.TensorAssert;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * TFLite ShuffleNet's channel shuffle: strided slices taking every other channel (stride 2 on the channel axis, begin
 * 0 and 1, end masked), joined by a channel Concat, with the Concat placed in place and copying.
 */
class ChannelShuffleSliceTest {
    private static Graph graph() {
        GraphBuilder b = new GraphBuilder("shuffle");
        Value x = b.input("x", ElementType.F32, 1, 48, 20, 20);
        Value r = b.op(new Relu(), x);
        long[] zero = {0, 0, 0, 0};
        long[] ends = {1, 1, 1, 1};
        Value even = b.op(new StridedSlice(zero, ends, zero, zero, zero), r,
                b.constant(Tensor.of(new long[] {0, 0, 0, 0}, 4)), b.constant(Tensor.of(new long[] {0, 0, 0, 0}, 4)),
                b.constant(Tensor.of(new long[] {1, 2, 1, 1}, 4)));
        Value odd = b.op(new StridedSlice(zero, ends, zero, zero, zero), r,
                b.constant(Tensor.of(new long[] {0, 1, 0, 0}, 4)), b.constant(Tensor.of(new long[] {0, 0, 0, 0}, 4)),
                b.constant(Tensor.of(new long[] {1, 2, 1, 1}, 4)));
        b.output(b.op(new Relu(), b.op(new Concat(1), odd, even)));
        return b.graph();
    }

    private static Value slice(GraphBuilder b, Value v, long first) {
        long[] zero = {0, 0, 0, 0};
        return b.op(new StridedSlice(zero, new long[] {1, 1, 1, 1}, zero, zero, zero), v,
                b.constant(Tensor.of(new long[] {0, first, 0, 0}, 4)),
                b.constant(Tensor.of(new long[] {0, 0, 0, 0}, 4)), b.constant(Tensor.of(new long[] {1, 2, 1, 1}, 4)));
    }

    private static Value conv(GraphBuilder b, Random r, Value v) {
        return b.op(new Relu(), b.op(new dev.infero.core.ops.nn.Convolution(new dev.infero.core.ops.nn.WindowGeometry(
                new long[] {1, 1}, new long[] {1, 1}, new long[] {0, 0}, new long[] {0, 0},
                dev.infero.core.ops.nn.AutoPad.EXPLICIT, false)), v, b.constant(RandomData.tensor(r, 48, 48, 1, 1))));
    }

    /** The units of TFLite's ShuffleNet (face_landmark.tflite): slices of slices' Concats, kept across units. */
    private static Graph units() {
        Random r = new Random(9);
        GraphBuilder b = new GraphBuilder("units");
        Value x = b.input("x", ElementType.F32, 1, 48, 20, 20);
        Value a = conv(b, r, x);
        Value bb = conv(b, r, b.op(new Relu(), x));
        Value s1 = slice(b, a, 0);
        Value s3 = slice(b, a, 1);
        Value s = slice(b, bb, 0);
        Value cat = b.op(new Concat(1), s, s1);
        Value c = conv(b, r, conv(b, r, cat));
        Value s4 = slice(b, c, 0);
        Value s2 = slice(b, cat, 1);
        Value cat1 = b.op(new Concat(1), s2, s3);
        Value s5 = slice(b, cat1, 1);
        Value cat2 = b.op(new Concat(1), s4, s5);
        Value d = conv(b, r, conv(b, r, cat2));
        Value s8 = slice(b, d, 0);
        Value s6 = slice(b, cat2, 1);
        Value s7 = slice(b, cat1, 0);
        Value cat3 = b.op(new Concat(1), s6, s7);
        Value s9 = slice(b, cat3, 1);
        b.output(b.op(new Concat(1), s8, s9));
        return b.graph();
    }

    @Test
    void unitsMatchTheReferenceInPlaceAndCopying() {
        Tensor x = RandomData.tensor(new Random(6), 1, 48, 20, 20);
        Tensor expected = ReferenceRunner.run(units(), x).get(0);
        for (String inPlace : new String[] {"on", "off"}) {
            System.setProperty("infero.cpu.concatInPlace", inPlace);
            try {
                Tensor[] actual = TwoRuns.outputs(new CpuDevice().compile(units(), Map.of()), units(), x, null);
                TensorAssert.assertClose(expected, actual[0], 1e-4, 1e-4);
            } finally {
                System.clearProperty("infero.cpu.concatInPlace");
            }
        }
    }

    /**
     * A model output's tensor is backed by an array of exactly its size, whatever arrays the memory plan reuses for
     * intermediates (a larger reused array showed callers reading {@code floats()} a stale tail).
     */
    @Test
    void outputsHaveArraysOfTheirOwnSize() {
        Tensor x = RandomData.tensor(new Random(6), 1, 48, 20, 20);
        for (String inPlace : new String[] {"on", "off"}) {
            System.setProperty("infero.cpu.concatInPlace", inPlace);
            try (var compiled = new CpuDevice().compile(units(), Map.of())) {
                var request = compiled.newRequest();
                request.setInput(0, x);
                request.run();
                Tensor out = request.output(0);
                org.junit.jupiter.api.Assertions.assertEquals(out.size(), out.floats().length, "concat in place " + inPlace);
            } finally {
                System.clearProperty("infero.cpu.concatInPlace");
            }
        }
    }

    @Test
    void shuffleMatchesTheReferenceInPlaceAndCopying() {
        Graph g = graph();
        Tensor x = RandomData.tensor(new Random(5), 1, 48, 20, 20);
        Tensor expected = ReferenceRunner.run(g, x).get(0);
        for (String inPlace : new String[] {"on", "off"}) {
            System.setProperty("infero.cpu.concatInPlace", inPlace);
            try {
                Tensor[] actual = TwoRuns.outputs(new CpuDevice().compile(graph(), Map.of()), graph(), x, null);
                TensorAssert.assertClose(expected, actual[0], 0, 0);
            } finally {
                System.clearProperty("infero.cpu.concatInPlace");
            }
        }
    }
}
