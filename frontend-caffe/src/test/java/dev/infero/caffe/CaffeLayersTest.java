package dev.infero.caffe;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infero.caffe.proto.Caffe.BlobProto;
import dev.infero.caffe.proto.Caffe.BlobShape;
import dev.infero.caffe.proto.Caffe.LayerParameter;
import dev.infero.caffe.proto.Caffe.NetParameter;
import dev.infero.caffe.proto.Caffe.V1LayerParameter;
import dev.infero.core.graph.Graph;
import dev.infero.core.tensor.Tensor;
import dev.infero.testing.ReferenceRunner;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Every layer translation on small nets written here (prototxt text + caffemodel built with the generated classes),
 * run with the ops' reference evaluation and checked against values computed by hand or by a naive loop that follows
 * Caffe's own code.
 */
class CaffeLayersTest {
    static BlobProto blob(float[] data, long... dims) {
        BlobProto.Builder b = BlobProto.newBuilder().setShape(BlobShape.newBuilder().addAllDim(Arrays.stream(dims).boxed().toList()));
        for (float f : data) {
            b.addData(f);
        }
        return b.build();
    }

    /** A legacy 4-D blob (num/channels/height/width, no BlobShape), as old caffemodels store them. */
    static BlobProto legacyBlob(float[] data, int num, int channels, int height, int width) {
        BlobProto.Builder b = BlobProto.newBuilder().setNum(num).setChannels(channels).setHeight(height).setWidth(width);
        for (float f : data) {
            b.addData(f);
        }
        return b.build();
    }

    /** A caffemodel: layer name, blobs, name, blobs... */
    static NetParameter weights(Object... nameAndBlobs) {
        NetParameter.Builder net = NetParameter.newBuilder();
        LayerParameter.Builder current = null;
        for (Object o : nameAndBlobs) {
            if (o instanceof String s) {
                if (current != null) {
                    net.addLayer(current);
                }
                current = LayerParameter.newBuilder().setName(s);
            } else {
                current.addBlobs((BlobProto) o);
            }
        }
        if (current != null) {
            net.addLayer(current);
        }
        return net.build();
    }

    static final String INPUT = "layer { name: 'data' type: 'Input' top: 'data' input_param { shape { %s } } }\n";

    static String input(int... dims) {
        StringBuilder s = new StringBuilder();
        for (int d : dims) {
            s.append("dim: ").append(d).append(' ');
        }
        return String.format(INPUT, s);
    }

    static Graph graph(String prototxt, NetParameter weights) {
        return CaffeImporter.importNet(CaffeImporter.parseText(prototxt, "test.prototxt"), weights, "test.prototxt",
                "test.caffemodel", "test");
    }

    static Map<String, Tensor> run(String prototxt, NetParameter weights, Tensor data) {
        Graph g = graph(prototxt, weights);
        Map<String, Tensor> in = new LinkedHashMap<>();
        in.put(g.parameters().get(0).name(), data);
        return ReferenceRunner.run(g, in);
    }

    static float[] out(String prototxt, NetParameter weights, Tensor data, String name) {
        Tensor t = run(prototxt, weights, data).get(name);
        assertTrue(t != null, "output " + name);
        return t.toFloatArray();
    }

    static float[] iota(int n) {
        float[] f = new float[n];
        for (int i = 0; i < n; i++) {
            f[i] = i;
        }
        return f;
    }

    static float[] wave(int n, int seed) {
        float[] f = new float[n];
        for (int i = 0; i < n; i++) {
            f[i] = (float) Math.sin(0.7 * i + seed) * (1 + (i % 3));
        }
        return f;
    }

    static void close(float[] expected, float[] actual) {
        assertEquals(expected.length, actual.length, "length");
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], 1e-4 * Math.max(1, Math.abs(expected[i])), "element " + i);
        }
    }

    /** Caffe's convolution (im2col semantics) as a naive loop: x [C,H,W], w [O, C/g, kh, kw]. */
    static float[] naiveConv(float[] x, int c, int h, int wd, float[] w, int o, int kh, int kw, int pad, int stride,
            int dil, int group, float[] bias) {
        int oh = (h + 2 * pad - (dil * (kh - 1) + 1)) / stride + 1;
        int ow = (wd + 2 * pad - (dil * (kw - 1) + 1)) / stride + 1;
        float[] y = new float[o * oh * ow];
        int cg = c / group;
        int og = o / group;
        for (int oc = 0; oc < o; oc++) {
            int g = oc / og;
            for (int i = 0; i < oh; i++) {
                for (int j = 0; j < ow; j++) {
                    double s = bias == null ? 0 : bias[oc];
                    for (int ic = 0; ic < cg; ic++) {
                        for (int a = 0; a < kh; a++) {
                            for (int b = 0; b < kw; b++) {
                                int yy = i * stride - pad + a * dil;
                                int xx = j * stride - pad + b * dil;
                                if (yy >= 0 && yy < h && xx >= 0 && xx < wd) {
                                    s += x[((g * cg + ic) * h + yy) * wd + xx] * w[((oc * cg + ic) * kh + a) * kw + b];
                                }
                            }
                        }
                    }
                    y[(oc * oh + i) * ow + j] = (float) s;
                }
            }
        }
        return y;
    }

    @Test
    void convolutionWithGroupsPadStrideDilationAndBias() {
        float[] x = wave(4 * 7 * 7, 1);
        float[] w = wave(6 * 2 * 3 * 3, 2);
        float[] b = {0.5f, -1, 2, 0, 1, -0.25f};
        String net = input(1, 4, 7, 7) + "layer { name: 'conv' type: 'Convolution' bottom: 'data' top: 'conv' "
                + "convolution_param { num_output: 6 group: 2 kernel_size: 3 pad: 2 stride: 2 dilation: 2 } }";
        float[] y = out(net, weights("conv", blob(w, 6, 2, 3, 3), blob(b, 6)), Tensor.of(x, 1, 4, 7, 7), "conv");
        close(naiveConv(x, 4, 7, 7, w, 6, 3, 3, 2, 2, 2, 2, b), y);
    }

    @Test
    void convolutionWithHwFormsAndNoBiasOnLegacyBlobs() {
        float[] x = wave(2 * 5 * 6, 3);
        float[] w = wave(3 * 2 * 3 * 3, 4);
        String net = input(1, 2, 5, 6) + "layer { name: 'conv' type: 'Convolution' bottom: 'data' top: 'conv' "
                + "convolution_param { num_output: 3 bias_term: false kernel_h: 3 kernel_w: 3 pad_h: 1 pad_w: 1 "
                + "stride_h: 1 stride_w: 1 } }";
        float[] y = out(net, weights("conv", legacyBlob(w, 3, 2, 3, 3)), Tensor.of(x, 1, 2, 5, 6), "conv");
        close(naiveConv(x, 2, 5, 6, w, 3, 3, 3, 1, 1, 1, 1, null), y);
    }

    @Test
    void deconvolutionScattersEachInputThroughTheKernel() {
        // 1 channel 2×2 input, 1 output channel, kernel 2×2 of ones, stride 2: each input fills its own 2×2 block.
        String net = input(1, 1, 2, 2) + "layer { name: 'up' type: 'Deconvolution' bottom: 'data' top: 'up' "
                + "convolution_param { num_output: 1 kernel_size: 2 stride: 2 } }";
        float[] y = out(net, weights("up", blob(new float[] {1, 1, 1, 1}, 1, 1, 2, 2), blob(new float[] {10}, 1)),
                Tensor.of(new float[] {1, 2, 3, 4}, 1, 1, 2, 2), "up");
        assertArrayEquals(new float[] {11, 11, 12, 12, 11, 11, 12, 12, 13, 13, 14, 14, 13, 13, 14, 14}, y);
        // Overlapping windows with padding: out = s·(in−1) + k − 2·pad = 1·1 + 3 − 2 = 2 per side.
        String padded = input(1, 1, 2, 2) + "layer { name: 'up' type: 'Deconvolution' bottom: 'data' top: 'up' "
                + "convolution_param { num_output: 1 kernel_size: 3 pad: 1 bias_term: false } }";
        float[] ones = new float[9];
        Arrays.fill(ones, 1);
        float[] z = out(padded, weights("up", blob(ones, 1, 1, 3, 3)), Tensor.of(new float[] {1, 2, 3, 4}, 1, 1, 2, 2), "up");
        assertArrayEquals(new float[] {10, 10, 10, 10}, z);
    }

    @Test
    void innerProductFlattensFromAxisAndHonoursTranspose() {
        float[] x = iota(2 * 3);
        float[] w = {1, 0, 0, 0, 0, 0, /**/ 0, 1, 1, 1, 0, 0};
        String net = input(2, 1, 2, 3) + "layer { name: 'fc' type: 'InnerProduct' bottom: 'data' top: 'fc' "
                + "inner_product_param { num_output: 2 } }";
        // Each of the 2 images is 6 values: y = [x0, x1 + x2 + x3] + bias.
        float[] y = out(net, weights("fc", legacyBlob(w, 1, 1, 2, 6), blob(new float[] {1, -1}, 2)),
                Tensor.of(new float[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, 2, 1, 2, 3), "fc");
        assertArrayEquals(new float[] {1, 5, 7, 23}, y);
        String transposed = input(1, 3) + "layer { name: 'fc' type: 'InnerProduct' bottom: 'data' top: 'fc' "
                + "inner_product_param { num_output: 2 transpose: true bias_term: false } }";
        // Stored [K=3, N=2]: y_n = Σ_k x_k·w[k][n].
        float[] z = out(transposed, weights("fc", blob(new float[] {1, 2, 3, 4, 5, 6}, 3, 2)),
                Tensor.of(new float[] {1, 1, 1}, 1, 3), "fc");
        assertArrayEquals(new float[] {9, 12}, z);
        assertEquals(6, x.length);
        String axis2 = input(1, 2, 2, 2) + "layer { name: 'fc' type: 'InnerProduct' bottom: 'data' top: 'fc' "
                + "inner_product_param { num_output: 1 axis: 2 bias_term: false } }";
        Map<String, Tensor> r = run(axis2, weights("fc", blob(new float[] {1, 10, 100, 1000}, 1, 4))
                .toBuilder().build(), Tensor.of(iota(8), 1, 2, 2, 2));
        assertArrayEquals(new int[] {1, 2, 1}, r.get("fc").shape());
    }

    @Test
    void maxPoolingRoundsUpLikeCaffe() {
        String net = input(1, 1, 4, 4) + "layer { name: 'pool' type: 'Pooling' bottom: 'data' top: 'pool' "
                + "pooling_param { pool: MAX kernel_size: 3 stride: 2 } }";
        Map<String, Tensor> r = run(net, null, Tensor.of(iota(16), 1, 1, 4, 4));
        assertArrayEquals(new int[] {1, 1, 2, 2}, r.get("pool").shape(), "ceil((4-3)/2)+1 = 2");
        assertArrayEquals(new float[] {10, 11, 14, 15}, r.get("pool").toFloatArray());
    }

    @Test
    void averagePoolingDividesByTheWindowClippedToThePaddedInput() {
        String net = input(1, 1, 4, 4) + "layer { name: 'pool' type: 'Pooling' bottom: 'data' top: 'pool' "
                + "pooling_param { pool: AVE kernel_size: 3 stride: 2 pad: 1 } }";
        Map<String, Tensor> r = run(net, null, Tensor.of(iota(16), 1, 1, 4, 4));
        assertArrayEquals(new int[] {1, 1, 3, 3}, r.get("pool").shape());
        float[] y = r.get("pool").toFloatArray();
        assertEquals(10f / 9, y[0], 1e-6, "corner: 4 values, 9 positions inside the padded input");
        assertEquals((3 + 7) / 6f, y[2], 1e-6, "right edge: the window past the padding counts 3×2");
        assertEquals(15f / 4, y[8], 1e-6, "last window: 1 value, 2×2 positions inside the padded input");
    }

    @Test
    void ceilPoolingDropsAWindowThatWouldStartInThePadding() {
        // in 5, k 2, s 2, pad 1: ceil((5+2-2)/2)+1 = 4, but window 3 would start at 6-1 = 5 ≥ 5+... Caffe clips to 3.
        String net = input(1, 1, 5, 5) + "layer { name: 'pool' type: 'Pooling' bottom: 'data' top: 'pool' "
                + "pooling_param { pool: MAX kernel_size: 2 stride: 2 pad: 1 } }";
        Map<String, Tensor> r = run(net, null, Tensor.of(iota(25), 1, 1, 5, 5));
        assertArrayEquals(new int[] {1, 1, 3, 3}, r.get("pool").shape());
        assertArrayEquals(new float[] {0, 2, 4, 10, 12, 14, 20, 22, 24}, r.get("pool").toFloatArray());
    }

    @Test
    void globalPooling() {
        String net = input(1, 2, 2, 2) + "layer { name: 'max' type: 'Pooling' bottom: 'data' top: 'max' "
                + "pooling_param { pool: MAX global_pooling: true } }"
                + "layer { name: 'ave' type: 'Pooling' bottom: 'data' top: 'ave' pooling_param { pool: AVE global_pooling: true } }";
        Map<String, Tensor> r = run(net, null, Tensor.of(iota(8), 1, 2, 2, 2));
        assertArrayEquals(new float[] {3, 7}, r.get("max").toFloatArray());
        assertArrayEquals(new float[] {1.5f, 5.5f}, r.get("ave").toFloatArray());
        assertArrayEquals(new int[] {1, 2, 1, 1}, r.get("ave").shape());
    }

    @Test
    void reluPreluAndInPlaceLayers() {
        float[] x = {-2, 3, -4, 5};
        String leaky = input(1, 2, 1, 2) + "layer { name: 'r' type: 'ReLU' bottom: 'data' top: 'data' relu_param { negative_slope: 0.1 } }";
        close(new float[] {-0.2f, 3, -0.4f, 5}, out(leaky, null, Tensor.of(x, 1, 2, 1, 2), "data"));
        String relu = input(1, 2, 1, 2) + "layer { name: 'r' type: 'ReLU' bottom: 'data' top: 'r' }";
        close(new float[] {0, 3, 0, 5}, out(relu, null, Tensor.of(x, 1, 2, 1, 2), "r"));
        // In place on a conv output, then read by a later layer: the in-place result is what it reads.
        String prelu = input(1, 2, 1, 2) + "layer { name: 'id' type: 'Power' bottom: 'data' top: 'id' }"
                + "layer { name: 'p' type: 'PReLU' bottom: 'id' top: 'id' }"
                + "layer { name: 'drop' type: 'Dropout' bottom: 'id' top: 'id' }"
                + "layer { name: 'neg' type: 'Power' bottom: 'id' top: 'neg' power_param { scale: -1 } }";
        close(new float[] {1, -3, 1, -5}, out(prelu, weights("p", blob(new float[] {0.5f, 0.25f}, 2)),
                Tensor.of(x, 1, 2, 1, 2), "neg"));
        String shared = input(1, 2, 1, 2) + "layer { name: 'p' type: 'PReLU' bottom: 'data' top: 'p' prelu_param { channel_shared: true } }";
        close(new float[] {-1, 3, -2, 5}, out(shared, weights("p", blob(new float[] {0.5f}, 1)), Tensor.of(x, 1, 2, 1, 2), "p"));
    }

    @Test
    void elementwiseActivationsAndPower() {
        float[] x = {-1, 0, 0.5f, 2};
        String net = input(1, 4) + "layer { name: 's' type: 'Sigmoid' bottom: 'data' top: 's' }"
                + "layer { name: 't' type: 'TanH' bottom: 'data' top: 't' }"
                + "layer { name: 'p' type: 'Power' bottom: 'data' top: 'p' power_param { power: 2 scale: 2 shift: 1 } }"
                + "layer { name: 'e' type: 'ELU' bottom: 'data' top: 'e' elu_param { alpha: 2 } }"
                + "layer { name: 'a' type: 'AbsVal' bottom: 'data' top: 'a' }";
        Map<String, Tensor> r = run(net, null, Tensor.of(x, 1, 4));
        float[] s = new float[4];
        float[] t = new float[4];
        float[] p = new float[4];
        float[] e = new float[4];
        for (int i = 0; i < 4; i++) {
            s[i] = (float) (1 / (1 + Math.exp(-x[i])));
            t[i] = (float) Math.tanh(x[i]);
            p[i] = (1 + 2 * x[i]) * (1 + 2 * x[i]);
            e[i] = x[i] > 0 ? x[i] : (float) (2 * (Math.exp(x[i]) - 1));
        }
        close(s, r.get("s").toFloatArray());
        close(t, r.get("t").toFloatArray());
        close(p, r.get("p").toFloatArray());
        close(e, r.get("e").toFloatArray());
        close(new float[] {1, 0, 0.5f, 2}, r.get("a").toFloatArray());
    }

    @Test
    void expLogAndBnll() {
        float[] x = {0.5f, 1, 2};
        String net = input(1, 3) + "layer { name: 'e' type: 'Exp' bottom: 'data' top: 'e' exp_param { base: 2 scale: 3 shift: 1 } }"
                + "layer { name: 'l' type: 'Log' bottom: 'data' top: 'l' log_param { base: 10 scale: 2 } }"
                + "layer { name: 'b' type: 'BNLL' bottom: 'data' top: 'b' }";
        Map<String, Tensor> r = run(net, null, Tensor.of(x, 1, 3));
        float[] e = new float[3];
        float[] l = new float[3];
        float[] b = new float[3];
        for (int i = 0; i < 3; i++) {
            e[i] = (float) Math.pow(2, 1 + 3 * x[i]);
            l[i] = (float) Math.log10(2 * x[i]);
            b[i] = (float) Math.log1p(Math.exp(x[i]));
        }
        close(e, r.get("e").toFloatArray());
        close(l, r.get("l").toFloatArray());
        close(b, r.get("b").toFloatArray());
    }

    @Test
    void softmaxOverChannelsAndAnyAxis() {
        String net = input(1, 2, 1, 2) + "layer { name: 'prob' type: 'Softmax' bottom: 'data' top: 'prob' }"
                + "layer { name: 'last' type: 'Softmax' bottom: 'data' top: 'last' softmax_param { axis: -1 } }";
        Map<String, Tensor> r = run(net, null, Tensor.of(new float[] {0, 1, 0, 3}, 1, 2, 1, 2));
        float e = (float) (1 / (1 + Math.exp(2)));
        close(new float[] {0.5f, e, 0.5f, 1 - e}, r.get("prob").toFloatArray());
        float f = (float) (1 / (1 + Math.exp(1)));
        close(new float[] {f, 1 - f, (float) (1 / (1 + Math.exp(3))), (float) (1 / (1 + Math.exp(-3)))},
                r.get("last").toFloatArray());
    }

    @Test
    void concatEltwiseSplitAndSlice() {
        String net = input(1, 2, 1, 1) + "layer { name: 'split' type: 'Split' bottom: 'data' top: 'a' top: 'b' }"
                + "layer { name: 'cat' type: 'Concat' bottom: 'a' bottom: 'b' top: 'cat' }"
                + "layer { name: 'sum' type: 'Eltwise' bottom: 'a' bottom: 'b' top: 'sum' eltwise_param { coeff: 2 coeff: -0.5 } }"
                + "layer { name: 'prod' type: 'Eltwise' bottom: 'a' bottom: 'b' bottom: 'a' top: 'prod' eltwise_param { operation: PROD } }"
                + "layer { name: 'neg' type: 'Power' bottom: 'b' top: 'neg' power_param { scale: -1 shift: 4 } }"
                + "layer { name: 'max' type: 'Eltwise' bottom: 'a' bottom: 'neg' top: 'max' eltwise_param { operation: MAX } }"
                + "layer { name: 'slice' type: 'Slice' bottom: 'cat' top: 's1' top: 's2' slice_param { slice_point: 1 } }";
        Map<String, Tensor> r = run(net, null, Tensor.of(new float[] {1, 3}, 1, 2, 1, 1));
        close(new float[] {1.5f, 4.5f}, r.get("sum").toFloatArray());
        close(new float[] {1, 27}, r.get("prod").toFloatArray());
        close(new float[] {3, 3}, r.get("max").toFloatArray());
        assertArrayEquals(new float[] {1}, r.get("s1").toFloatArray());
        assertArrayEquals(new float[] {3, 1, 3}, r.get("s2").toFloatArray());
    }

    @Test
    void batchNormUsesTheScaleFactorBlobAndScaleAddsItsBias() {
        float[] x = {1, 2, 3, 4};
        float eps = 1e-3f;
        String net = input(1, 2, 1, 2) + "layer { name: 'bn' type: 'BatchNorm' bottom: 'data' top: 'data' "
                + "batch_norm_param { use_global_stats: true eps: 0.001 } }"
                + "layer { name: 'sc' type: 'Scale' bottom: 'data' top: 'data' scale_param { bias_term: true } }";
        // Stored statistics are multiplied by the factor 2: mean (1, 3), variance (0.25, 4).
        NetParameter w = weights("bn", blob(new float[] {2, 6}, 2), blob(new float[] {0.5f, 8}, 2), blob(new float[] {2}, 1),
                "sc", blob(new float[] {2, -1}, 2), blob(new float[] {0.5f, 1}, 2));
        float[] y = out(net, w, Tensor.of(x, 1, 2, 1, 2), "data");
        float[] expected = new float[4];
        float[] mean = {1, 3};
        float[] var = {0.25f, 4};
        float[] g = {2, -1};
        float[] b = {0.5f, 1};
        for (int i = 0; i < 4; i++) {
            int c = i / 2;
            expected[i] = (float) ((x[i] - mean[c]) / Math.sqrt(var[c] + eps) * g[c] + b[c]);
        }
        close(expected, y);
    }

    @Test
    void batchNormWithBatchStatisticsAndScaleByASecondBottom() {
        String net = input(2, 1, 1, 2) + "layer { name: 'bn' type: 'BatchNorm' bottom: 'data' top: 'bn' "
                + "batch_norm_param { use_global_stats: false eps: 0 } }"
                + "layer { name: 'sq' type: 'Scale' bottom: 'data' bottom: 'data' top: 'sq' scale_param { axis: 0 } }"
                + "layer { name: 'bias' type: 'Bias' bottom: 'data' top: 'bias' }";
        Map<String, Tensor> r = run(net, weights("bias", blob(new float[] {10}, 1)), Tensor.of(new float[] {1, 3, 5, 7}, 2, 1, 1, 2));
        float sd = (float) Math.sqrt(5);
        close(new float[] {-3 / sd, -1 / sd, 1 / sd, 3 / sd}, r.get("bn").toFloatArray());
        close(new float[] {1, 9, 25, 49}, r.get("sq").toFloatArray());
        close(new float[] {11, 13, 15, 17}, r.get("bias").toFloatArray());
    }

    @Test
    void lrnAcrossAndWithinChannels() {
        float[] x = {1, 2, 3};
        String across = input(1, 3, 1, 1) + "layer { name: 'n' type: 'LRN' bottom: 'data' top: 'n' "
                + "lrn_param { local_size: 3 alpha: 0.3 beta: 0.75 k: 2 } }";
        float[] y = out(across, null, Tensor.of(x, 1, 3, 1, 1), "n");
        float[] expected = new float[3];
        for (int c = 0; c < 3; c++) {
            double sum = 0;
            for (int d = c - 1; d <= c + 1; d++) {
                if (d >= 0 && d < 3) {
                    sum += x[d] * x[d];
                }
            }
            expected[c] = (float) (x[c] / Math.pow(2 + 0.3 / 3 * sum, 0.75));
        }
        close(expected, y);
        String within = input(1, 1, 2, 2) + "layer { name: 'n' type: 'LRN' bottom: 'data' top: 'n' "
                + "lrn_param { local_size: 3 alpha: 0.9 beta: 0.5 norm_region: WITHIN_CHANNEL } }";
        float[] z = out(within, null, Tensor.of(new float[] {1, 2, 3, 4}, 1, 1, 2, 2), "n");
        // Every 3×3 window covers the whole 2×2 plane: Σx² = 30, divided by 9 positions.
        float[] ez = new float[4];
        for (int i = 0; i < 4; i++) {
            ez[i] = (float) ((i + 1) / Math.sqrt(1 + 0.9 * 30 / 9));
        }
        close(ez, z);
    }

    @Test
    void flattenReshapeAndPermute() {
        String net = input(2, 3, 2, 2) + "layer { name: 'flat' type: 'Flatten' bottom: 'data' top: 'flat' }"
                + "layer { name: 'flat2' type: 'Flatten' bottom: 'data' top: 'flat2' flatten_param { axis: 1 end_axis: 2 } }"
                + "layer { name: 'rs' type: 'Reshape' bottom: 'data' top: 'rs' reshape_param { shape { dim: 0 dim: -1 dim: 4 } } }"
                + "layer { name: 'rs2' type: 'Reshape' bottom: 'data' top: 'rs2' reshape_param { shape { dim: 1 dim: 3 } axis: 1 num_axes: 1 } }"
                + "layer { name: 'perm' type: 'Permute' bottom: 'data' top: 'perm' permute_param { order: 0 order: 2 order: 3 order: 1 } }";
        Map<String, Tensor> r = run(net, null, Tensor.of(iota(24), 2, 3, 2, 2));
        assertArrayEquals(new int[] {2, 12}, r.get("flat").shape());
        assertArrayEquals(new int[] {2, 6, 2}, r.get("flat2").shape());
        assertArrayEquals(new int[] {2, 3, 4}, r.get("rs").shape());
        assertArrayEquals(new int[] {2, 1, 3, 2, 2}, r.get("rs2").shape());
        assertArrayEquals(new int[] {2, 2, 2, 3}, r.get("perm").shape());
        assertArrayEquals(new float[] {0, 4, 8, 1, 5, 9}, Arrays.copyOf(r.get("perm").toFloatArray(), 6));
    }

    @Test
    void normalizeScalesTheL2NormPerChannelOrAcrossSpatial() {
        String net = input(1, 2, 1, 2) + "layer { name: 'n' type: 'Normalize' bottom: 'data' top: 'n' "
                + "norm_param { across_spatial: false channel_shared: false eps: 0 } }"
                + "layer { name: 'm' type: 'Normalize' bottom: 'data' top: 'm' norm_param { eps: 0 } }";
        Map<String, Tensor> r = run(net, weights("n", blob(new float[] {10, 20}, 2), "m", blob(new float[] {2}, 1)),
                Tensor.of(new float[] {3, 0, 4, 2}, 1, 2, 1, 2));
        close(new float[] {6, 0, 16, 20}, r.get("n").toFloatArray());
        float norm = (float) Math.sqrt(9 + 16 + 4);
        close(new float[] {6 / norm, 0, 8 / norm, 4 / norm}, r.get("m").toFloatArray());
    }

    @Test
    void priorBoxAndDetectionOutputOfAnSsdHead() {
        String net = input(1, 3, 10, 10)
                + "layer { name: 'feat' type: 'Pooling' bottom: 'data' top: 'feat' pooling_param { pool: MAX global_pooling: true } }"
                + "layer { name: 'prior' type: 'PriorBox' bottom: 'feat' bottom: 'data' top: 'prior' "
                + "prior_box_param { min_size: 4 max_size: 9 aspect_ratio: 2 flip: true variance: 0.1 variance: 0.1 "
                + "variance: 0.2 variance: 0.2 } }";
        Map<String, Tensor> r = run(net, null, Tensor.of(new float[300], 1, 3, 10, 10));
        Tensor prior = r.get("prior");
        assertArrayEquals(new int[] {1, 2, 16}, prior.shape());
        float[] p = prior.toFloatArray();
        float h = (float) (4 / Math.sqrt(2)) / 2 / 10;
        float wd = (float) (4 * Math.sqrt(2)) / 2 / 10;
        close(new float[] {.3f, .3f, .7f, .7f, .2f, .2f, .8f, .8f, .5f - wd, .5f - h, .5f + wd, .5f + h,
                .5f - h, .5f - wd, .5f + h, .5f + wd}, Arrays.copyOf(p, 16));
        close(new float[] {.1f, .1f, .2f, .2f}, Arrays.copyOfRange(p, 16, 20));

        // One prior, zero offsets: the detection is the prior itself with the class-1 confidence.
        String det = "input: 'loc' input_shape { dim: 1 dim: 4 }\n"
                + "layer { name: 'conf' type: 'Input' top: 'conf' input_param { shape { dim: 1 dim: 2 } } }\n"
                + "layer { name: 'prior' type: 'Input' top: 'prior' input_param { shape { dim: 1 dim: 2 dim: 4 } } }\n"
                + "layer { name: 'det' type: 'DetectionOutput' bottom: 'loc' bottom: 'conf' bottom: 'prior' top: 'det' "
                + "detection_output_param { num_classes: 2 share_location: true background_label_id: 0 "
                + "nms_param { nms_threshold: 0.45 top_k: 10 } code_type: CENTER_SIZE keep_top_k: 5 confidence_threshold: 0.1 } }";
        Graph g = graph(det, null);
        Map<String, Tensor> in = new LinkedHashMap<>();
        in.put("loc", Tensor.of(new float[4], 1, 4));
        in.put("conf", Tensor.of(new float[] {0.1f, 0.9f}, 1, 2));
        in.put("prior", Tensor.of(new float[] {.3f, .3f, .7f, .7f, .1f, .1f, .2f, .2f}, 1, 2, 4));
        Tensor d = ReferenceRunner.run(g, in).get("det");
        assertArrayEquals(new int[] {1, 1, 5, 7}, d.shape());
        close(new float[] {0, 1, 0.9f, .3f, .3f, .7f, .7f, -1}, Arrays.copyOf(d.toFloatArray(), 8));
    }

    @Test
    void netLevelInputsLegacyV1LayersAndTrainOnlyLayers() {
        String net = "name: 'old' input: 'x' input_dim: 1 input_dim: 2 input_dim: 1 input_dim: 1\n"
                + "layers { name: 'fc' type: INNER_PRODUCT bottom: 'x' top: 'fc' inner_product_param { num_output: 1 } }\n"
                + "layers { name: 'loss' type: SOFTMAX_LOSS bottom: 'fc' top: 'loss' include { phase: TRAIN } }\n"
                + "layers { name: 'relu' type: RELU bottom: 'fc' top: 'fc' }";
        NetParameter w = NetParameter.newBuilder().addLayers(V1LayerParameter.newBuilder().setName("fc")
                .addBlobs(legacyBlob(new float[] {1, -2}, 1, 1, 1, 2)).addBlobs(legacyBlob(new float[] {0.5f}, 1, 1, 1, 1)))
                .build();
        Graph g = graph(net, w);
        assertEquals(List.of(List.of("fc")), g.results().stream().map(n -> List.copyOf(n.output(0).names())).toList());
        Map<String, Tensor> r = ReferenceRunner.run(g, Map.of("x", Tensor.of(new float[] {3, 1}, 1, 2, 1, 1)));
        close(new float[] {1.5f}, r.get("fc").toFloatArray());
        Map<String, Tensor> neg = ReferenceRunner.run(g, Map.of("x", Tensor.of(new float[] {0, 1}, 1, 2, 1, 1)));
        close(new float[] {0}, neg.get("fc").toFloatArray());
    }
}
