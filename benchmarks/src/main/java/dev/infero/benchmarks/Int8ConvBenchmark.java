package dev.infero.benchmarks;

import dev.infero.cpu.jit.U8S8ConvTiles;
import dev.infero.cpu.kernels.ActivationQuantizer;
import dev.infero.cpu.kernels.ConvGeometry;
import dev.infero.cpu.kernels.ConvKernel;
import dev.infero.cpu.kernels.PostOps;
import dev.infero.cpu.kernels.QuantizedConvKernel;
import dev.infero.cpu.kernels.U8S8Conv;
import java.util.Random;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;

/**
 * INT8 against FP32 on the same layer, 1 thread: {@code fp32} the float convolution ({@link ConvKernel}),
 * {@code int8_vector} the INT8 kernel on the Vector API (codes as floats), {@code int8_jit} the INT8 kernel on
 * generated {@code vpdpbusd} tiles ({@link U8S8ConvTiles}; skipped where the CPU lacks AVX512_VNNI). Every variant
 * reads float values and writes dequantized, biased, ReLU'd floats, so the times compare whole layers. A 1×1 layer
 * is the GEMM {@code M = Cout, N = H·W, K = C}: ops/s = 2·M·N·K / time ({@code benchmarks/run.sh} prints it).
 */
public class Int8ConvBenchmark extends ConvLayerBenchmark {
    @Param({"conv1x1:256x28x28->256", "conv1x1:512x14x14->512", "conv3x3:64x56x56->64", "conv3x3:128x28x28->128",
            "conv3x3:256x14x14->256"})
    public String layer;
    @Param({"fp32", "int8_vector", "int8_jit"})
    public String variant;

    private ConvKernel fp32;
    private ConvKernel.Scratch fp32Scratch;
    private QuantizedConvKernel int8;
    private QuantizedConvKernel.Scratch int8Scratch;

    @Setup
    public void setup() {
        ConvGeometry g = open(layer, 1, "int8");
        int cout = g.outChannels();
        Random r = new Random(1);
        in = new float[g.inChannels() * g.inH() * g.inW()];
        for (int i = 0; i < in.length; i++) {
            in[i] = r.nextFloat() * 4;
        }
        float[] codes = new float[cout * g.patchSize()];
        float[] weights = new float[codes.length];
        for (int i = 0; i < codes.length; i++) {
            codes[i] = r.nextInt(255) - 127;
            weights[i] = codes[i] / 127f;
        }
        float[] bias = new float[cout];
        float[] scale = new float[cout];
        for (int i = 0; i < cout; i++) {
            bias[i] = r.nextFloat() - 0.5f;
            scale[i] = 4f / 255 / 127;
        }
        PostOps post = new PostOps(bias, false, PostOps.Activation.RELU, 0, 0);
        ActivationQuantizer q = ActivationQuantizer.of(0f, 4f, 256);
        switch (variant) {
            case "fp32" -> {
                fp32 = new ConvKernel(g, weights, post);
                fp32Scratch = fp32.newScratch(1);
            }
            case "int8_vector", "int8_jit" -> {
                int8 = new QuantizedConvKernel(g, codes, q, post.scaledBy(scale));
                if (variant.equals("int8_jit")) {
                    U8S8Conv layout = new U8S8Conv(g, codes, q);
                    U8S8ConvTiles tiles = U8S8ConvTiles.create(layout);
                    if (tiles == null) {
                        throw new IllegalStateException("no AVX512_VNNI JIT on this machine");
                    }
                    int8 = int8.onTiles(layout, tiles);
                }
                int8Scratch = int8.newScratch(1);
            }
            default -> throw new IllegalArgumentException(variant);
        }
    }

    @Benchmark
    public float[] layer() {
        if (fp32 != null) {
            fp32.run(in, out, null, fp32Scratch, pool);
        } else {
            int8.run(in, out, null, int8Scratch, pool);
        }
        return out;
    }
}
