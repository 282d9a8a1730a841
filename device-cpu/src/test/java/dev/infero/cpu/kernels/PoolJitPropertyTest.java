package dev.infero.cpu.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.cpu.jit.Jit;
import dev.infero.cpu.jit.KernelCache;
import dev.infero.cpu.jit.PoolKernel;
import dev.infero.cpu.kernels.KernelProperties.PoolLayer;
import dev.infero.testing.RandomData;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Max and average pooling of {@link WindowKernel} — generated code ({@link PoolKernel}) for each ISA this machine
 * runs, and the Vector API loops (the JIT off) — against the reference pooling of the core ops on random shapes:
 * windows 1–7 (square and not; and SPP's 5×5, 9×9, 13×13 at stride 1), strides 1–3 per axis, dilations 1–2, padding
 * 0 to window − 1 per side, floor and ceil rounding, average pooling counting the padding or not, global pooling (the
 * window holds the plane, padded or not), odd and tiny planes, widths with and without vector tails, batch 1–3, 1–2
 * threads.
 */
class PoolJitPropertyTest {
    private static PoolLayer layer(Random r) {
        boolean spp = r.nextInt(8) == 0;
        // Global pooling: the window holds the whole plane (one output per plane), with or without padding.
        boolean global = !spp && r.nextInt(8) == 0;
        int h = 1 + r.nextInt(r.nextBoolean() ? 12 : 70);
        int w = 1 + r.nextInt(r.nextBoolean() ? 20 : 130);
        int kh = spp ? new int[] {5, 9, 13}[r.nextInt(3)] : new int[] {3, 3, 2, 1 + r.nextInt(7)}[r.nextInt(4)];
        int kw = spp || r.nextInt(4) != 0 ? kh : 1 + r.nextInt(7);
        int sh = spp || global ? 1 : r.nextInt(8) == 0 ? 3 : 1 + r.nextInt(2);
        int sw = spp || global ? 1 : r.nextInt(5) == 0 ? 1 + r.nextInt(3) : sh;
        int dh = !global && r.nextInt(6) == 0 ? 2 : 1;
        int dw = !global && r.nextInt(6) == 0 ? 2 : dh;
        if (global) {
            h = 1 + r.nextInt(20);
            w = 1 + r.nextInt(20);
            kh = h + (r.nextInt(3) == 0 ? 1 : 0);
            kw = w + (r.nextInt(3) == 0 ? 1 : 0);
        }
        int[] pads = new int[4];
        for (int i = 0; i < 4; i++) {
            int k = i % 2 == 0 ? kh : kw;
            int size = i % 2 == 0 ? h : w;
            pads[i] = global ? (i < 2 ? k - size : 0) : spp ? k / 2 : r.nextInt(3) == 0 ? 0 : r.nextInt(k);
        }
        PoolLayer l = KernelProperties.poolLayer(r, h, w, kh, kw, sh, sw, dh, dw, pads, 12);
        return l != null ? l : layer(r);
    }

    private static WindowKernel kernel(PoolLayer l, Jit.Isa isa) {
        return l.max() ? WindowKernel.maxPool(l.g(), isa)
                : WindowKernel.avgPool(l.g(), l.excludePad(), l.padBottom(), l.padRight(), isa);
    }

    /** The reference: the core op's evaluation over the input tensor. */
    private static KernelProperties.Kernel reference(PoolLayer l) {
        ConvGeometry g = l.g();
        return (in, out, residual, pool) -> {
            Tensor x = Tensor.wrap(ElementType.F32, new int[] {g.batch(), g.inChannels(), g.inH(), g.inW()}, in);
            Tensor y = Tensor.allocate(ElementType.F32, g.batch(), g.inChannels(), g.outH(), g.outW());
            l.op().evaluate(new Tensor[] {x}, new Tensor[] {y});
            System.arraycopy(y.floats(), 0, out, 0, out.length);
        };
    }

    private static void check(Random r, PoolLayer l, Jit.Isa isa, int trial) {
        ConvGeometry g = l.g();
        int threads = 1 + r.nextInt(2);
        float[] in = RandomData.uniform(r, g.batch() * g.inChannels() * g.inH() * g.inW());
        int outLen = g.batch() * g.inChannels() * g.outH() * g.outW();
        WindowKernel tested = kernel(l, isa);
        KernelProperties.assertSameOutputs(r, in, null, outLen, threads, reference(l),
                KernelProperties.of(tested, threads), l.max() ? e -> 0f : KernelProperties.relative(2e-6f),
                () -> "trial " + trial + " " + tested.implementation() + " " + l);
    }

    @ParameterizedTest
    @EnumSource(Jit.Isa.class)
    void generatedPoolingMatchesTheReference(Jit.Isa isa) {
        KernelProperties.trials(isa, 9191, 400, (r, trial) -> {
            PoolLayer l = layer(r);
            ConvGeometry g = l.g();
            boolean global = g.outH() == 1 && g.outW() == 1 && g.dilationH() == 1 && g.dilationW() == 1
                    && g.kernelH() - g.padTop() >= g.inH() && g.kernelW() - g.padLeft() >= g.inW();
            boolean covered = !global && WindowKernel.generatesPool(g, isa);
            assertEquals(covered ? "jit_" + isa.label() : "vector" + jdk.incubator.vector.FloatVector.SPECIES_PREFERRED
                    .vectorBitSize(), kernel(l, isa).implementation());
            if (!global && g.strideW() <= 2 && g.outH() < 20) {
                assertEquals(true, covered, () -> "generated code should cover " + l);
            }
            check(r, l, isa, trial);
        });
    }

    @Test
    void vectorPoolingMatchesTheReference() {
        Random r = new Random(9292);
        for (int trial = 0; trial < 300; trial++) {
            check(r, layer(r), null, trial);
        }
    }

    @ParameterizedTest
    @EnumSource(Jit.Isa.class)
    void refusesOutOfRangeCalls(Jit.Isa isa) {
        KernelProperties.random(isa, 1);
        PoolKernel k = new PoolKernel(KernelCache.shared(), new PoolKernel.Key(isa, false, 9, 9, 4, 4, 3, 3, 2, 2,
                1, 1, 0, 0));
        float[] scale = new float[k.scaleLength()];
        float[] none = new float[0];
        k.run(new float[2 * 81], 0, new float[2 * 16], 0, scale, none, 2);
        assertThrows(IndexOutOfBoundsException.class, () -> k.run(new float[2 * 81 - 1], 0, new float[32], 0, scale,
                none, 2));
        assertThrows(IndexOutOfBoundsException.class, () -> k.run(new float[162], 1, new float[32], 0, scale, none,
                2));
        assertThrows(IndexOutOfBoundsException.class, () -> k.run(new float[162], 0, new float[31], 0, scale, none,
                2));
        assertThrows(IndexOutOfBoundsException.class, () -> k.run(new float[162], 0, new float[32], 0,
                new float[k.scaleLength() - 1], none, 2));
        // Stride 1 is separable: its buffer is checked too.
        PoolKernel s = new PoolKernel(KernelCache.shared(), new PoolKernel.Key(isa, true, 9, 9, 9, 9, 3, 3, 1, 1,
                1, 1, 1, 1));
        s.run(new float[81], 0, new float[81], 0, none, new float[s.bufferLength()], 1);
        assertThrows(IndexOutOfBoundsException.class, () -> s.run(new float[81], 0, new float[81], 0, none,
                new float[s.bufferLength() - 1], 1));
        assertThrows(IllegalArgumentException.class, () -> new PoolKernel.Key(isa, true, 9, 9, 3, 3, 3, 3, 3, 3, 1,
                1, 0, 0));
    }
}
