package dev.infero.cli.frontends;

import dev.infero.api.CompiledModel;
import dev.infero.api.Core;
import dev.infero.api.InferRequest;
import dev.infero.api.Model;
import dev.infero.core.frontend.ModelSource;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.PartialShape;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The MTCNN face detection cascade (Zhang et al. 2016) as the authors' MATLAB demo runs it: P-Net over an image
 * pyramid, NMS, bounding-box regression and squaring, then R-Net and O-Net on 24×24 and 48×48 crops; landmarks
 * come as five x then five y, relative to the box. Inputs are scaled as (x − 127.5)/128. The shared files (a Caffe
 * re-training with landmarks in all three nets, layers renamed) take BGR images as they are, not the original MATLAB
 * models' transposed RGB: with transposed RGB no face scores above R-Net's threshold, with plain BGR the cascade
 * finds the faces. Works with any readable form of the three networks (Caffe, IR FP32/FP16/INT8).
 */
final class Mtcnn implements AutoCloseable {
    /** A face: box corners in pixels, score, and five landmarks (x then y). */
    record Face(float x1, float y1, float x2, float y2, float score, float[] landmarks) {
    }

    private static final float[] THRESHOLDS = {0.6f, 0.7f, 0.7f};
    private static final int MIN_SIZE = 20;
    private static final float FACTOR = 0.709f;

    private final Core core = new Core();
    private final ModelSource pnet;
    private final Map<String, InferRequest> pnets = new HashMap<>();
    private final InferRequest rnet;
    private final InferRequest onet;
    private final List<CompiledModel> compiled = new ArrayList<>();

    Mtcnn(Path pnet, Path rnet, Path onet) {
        this(ModelSource.of(pnet), ModelSource.of(rnet), ModelSource.of(onet));
    }

    Mtcnn(ModelSource pnet, ModelSource rnet, ModelSource onet) {
        this.pnet = pnet;
        this.rnet = compile(core.readModel(rnet)).createInferRequest();
        this.onet = compile(core.readModel(onet)).createInferRequest();
    }

    private CompiledModel compile(Model m) {
        CompiledModel c = core.compileModel(m, "CPU");
        compiled.add(c);
        return c;
    }

    private InferRequest pnetFor(int w, int h) {
        return pnets.computeIfAbsent(w + "x" + h, k -> {
            Model m = core.readModel(pnet);
            m.reshape(m.inputs().get(0).name(), PartialShape.of(1, 3, h, w));
            return compile(m).createInferRequest();
        });
    }

    /** A box candidate: corners, score, regression offsets. */
    private static final class Box {
        float x1;
        float y1;
        float x2;
        float y2;
        float score;
        float[] reg = new float[4];
        float[] landmarks;

        Box(float x1, float y1, float x2, float y2, float score) {
            this.x1 = x1;
            this.y1 = y1;
            this.x2 = x2;
            this.y2 = y2;
            this.score = score;
        }

        float area() {
            return (x2 - x1 + 1) * (y2 - y1 + 1);
        }
    }

    List<Face> detect(BufferedImage img) {
        int h = img.getHeight();
        int w = img.getWidth();
        float[][] rgb = pixels(img);
        List<Box> total = new ArrayList<>();
        float m = 12f / MIN_SIZE;
        float minl = Math.min(h, w) * m;
        for (float scale = m; minl >= 12; scale *= FACTOR, minl *= FACTOR) {
            int hs = (int) Math.ceil(h * scale);
            int ws = (int) Math.ceil(w * scale);
            Tensor in = crop(rgb, w, h, 0, 0, w, h, ws, hs);
            InferRequest r = pnetFor(ws, hs);
            r.setInput(0, in);
            r.infer();
            Tensor prob = r.getOutput("prob");
            Tensor reg = r.getOutput("bbox_pred");
            List<Box> boxes = generate(prob, reg, scale, THRESHOLDS[0]);
            total.addAll(nms(boxes, 0.5f, false));
        }
        total = nms(total, 0.7f, false);
        regress(total);
        square(total);
        total = refine(total, rgb, w, h, rnet, 24, THRESHOLDS[1], false);
        total = nms(total, 0.7f, false);
        regress(total);
        square(total);
        total = refine(total, rgb, w, h, onet, 48, THRESHOLDS[2], true);
        regress(total);
        total = nms(total, 0.7f, true);
        List<Face> faces = new ArrayList<>();
        for (Box b : total) {
            faces.add(new Face(b.x1, b.y1, b.x2, b.y2, b.score, b.landmarks));
        }
        faces.sort(Comparator.comparingDouble(f -> -f.score()));
        return faces;
    }

    /** P-Net's map [1, 2, H', W'] (cell stride 2, window 12) to boxes in image pixels. */
    private static List<Box> generate(Tensor prob, Tensor reg, float scale, float threshold) {
        int[] s = prob.shape();
        int ny = s[2];
        int nx = s[3];
        float[] p = prob.toFloatArray();
        float[] r = reg.toFloatArray();
        List<Box> out = new ArrayList<>();
        for (int x = 0; x < nx; x++) {
            for (int y = 0; y < ny; y++) {
                float score = p[(ny + y) * nx + x];
                if (score >= threshold) {
                    Box b = new Box((float) Math.floor((2 * x + 1) / scale), (float) Math.floor((2 * y + 1) / scale),
                            (float) Math.floor((2 * x + 12) / scale), (float) Math.floor((2 * y + 12) / scale), score);
                    for (int k = 0; k < 4; k++) {
                        b.reg[k] = r[(k * ny + y) * nx + x];
                    }
                    out.add(b);
                }
            }
        }
        return out;
    }

    private static List<Box> nms(List<Box> boxes, float threshold, boolean min) {
        List<Box> sorted = new ArrayList<>(boxes);
        sorted.sort(Comparator.comparingDouble(b -> -b.score));
        List<Box> keep = new ArrayList<>();
        for (Box b : sorted) {
            boolean ok = true;
            for (Box k : keep) {
                float iw = Math.min(b.x2, k.x2) - Math.max(b.x1, k.x1) + 1;
                float ih = Math.min(b.y2, k.y2) - Math.max(b.y1, k.y1) + 1;
                if (iw <= 0 || ih <= 0) {
                    continue;
                }
                float inter = iw * ih;
                float o = min ? inter / Math.min(b.area(), k.area()) : inter / (b.area() + k.area() - inter);
                if (o > threshold) {
                    ok = false;
                    break;
                }
            }
            if (ok) {
                keep.add(b);
            }
        }
        return keep;
    }

    private static void regress(List<Box> boxes) {
        for (Box b : boxes) {
            float bw = b.x2 - b.x1 + 1;
            float bh = b.y2 - b.y1 + 1;
            b.x1 += b.reg[0] * bw;
            b.y1 += b.reg[1] * bh;
            b.x2 += b.reg[2] * bw;
            b.y2 += b.reg[3] * bh;
            b.reg = new float[4];
        }
    }

    private static void square(List<Box> boxes) {
        for (Box b : boxes) {
            float bw = b.x2 - b.x1;
            float bh = b.y2 - b.y1;
            float l = Math.max(bw, bh);
            b.x1 = (float) Math.floor(b.x1 + bw * 0.5f - l * 0.5f);
            b.y1 = (float) Math.floor(b.y1 + bh * 0.5f - l * 0.5f);
            b.x2 = b.x1 + (float) Math.floor(l);
            b.y2 = b.y1 + (float) Math.floor(l);
        }
    }

    /** R-Net / O-Net on each box's crop: keeps boxes above the threshold with their new score and regression. */
    private static List<Box> refine(List<Box> boxes, float[][] rgb, int w, int h, InferRequest net, int size,
            float threshold, boolean landmarks) {
        List<Box> out = new ArrayList<>();
        for (Box b : boxes) {
            int bx = Math.round(b.x1);
            int by = Math.round(b.y1);
            int bw = Math.round(b.x2 - b.x1 + 1);
            int bh = Math.round(b.y2 - b.y1 + 1);
            if (bw < 2 || bh < 2) {
                continue;
            }
            net.setInput(0, crop(rgb, w, h, bx, by, bw, bh, size, size));
            net.infer();
            float score = net.getOutput("prob").toFloatArray()[1];
            if (score < threshold) {
                continue;
            }
            b.score = score;
            b.reg = net.getOutput("bbox_pred").toFloatArray().clone();
            if (landmarks) {
                float[] p = net.getOutput("landmark_pred").toFloatArray();
                float[] lm = new float[10];
                float fw = b.x2 - b.x1 + 1;
                float fh = b.y2 - b.y1 + 1;
                for (int i = 0; i < 5; i++) {
                    lm[i] = fw * p[i] + b.x1 - 1;
                    lm[5 + i] = fh * p[5 + i] + b.y1 - 1;
                }
                b.landmarks = lm;
            }
            out.add(b);
        }
        return out;
    }

    private static float[][] pixels(BufferedImage img) {
        int w = img.getWidth();
        int h = img.getHeight();
        float[][] c = new float[3][w * h];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int v = img.getRGB(x, y);
                c[0][y * w + x] = (v >> 16) & 0xFF;
                c[1][y * w + x] = (v >> 8) & 0xFF;
                c[2][y * w + x] = v & 0xFF;
            }
        }
        return c;
    }

    /**
     * The region (bx, by, bw, bh) of the image (zeros outside it) resized bilinearly to ow×oh, normalised and laid
     * out [1, 3, oh, ow] in BGR order.
     */
    static Tensor crop(float[][] rgb, int w, int h, int bx, int by, int bw, int bh, int ow, int oh) {
        float[] out = new float[3 * ow * oh];
        for (int c = 0; c < 3; c++) {
            for (int ox = 0; ox < ow; ox++) {
                float sx = (ox + 0.5f) * bw / ow - 0.5f;
                for (int oy = 0; oy < oh; oy++) {
                    float sy = (oy + 0.5f) * bh / oh - 0.5f;
                    int x0 = (int) Math.floor(sx);
                    int y0 = (int) Math.floor(sy);
                    float fx = sx - x0;
                    float fy = sy - y0;
                    float v = (1 - fx) * (1 - fy) * at(rgb[c], w, h, bx + x0, by + y0, bx, by, bw, bh)
                            + fx * (1 - fy) * at(rgb[c], w, h, bx + x0 + 1, by + y0, bx, by, bw, bh)
                            + (1 - fx) * fy * at(rgb[c], w, h, bx + x0, by + y0 + 1, bx, by, bw, bh)
                            + fx * fy * at(rgb[c], w, h, bx + x0 + 1, by + y0 + 1, bx, by, bw, bh);
                    out[((2 - c) * oh + oy) * ow + ox] = (v - 127.5f) / 128f;
                }
            }
        }
        return Tensor.of(out, 1, 3, oh, ow);
    }

    /** Pixel (x, y), clamped to the crop region, zero outside the image (MATLAB's zero-padded crops). */
    private static float at(float[] plane, int w, int h, int x, int y, int bx, int by, int bw, int bh) {
        x = Math.max(bx, Math.min(bx + bw - 1, x));
        y = Math.max(by, Math.min(by + bh - 1, y));
        return x < 0 || y < 0 || x >= w || y >= h ? 0f : plane[y * w + x];
    }

    @Override
    public void close() {
        compiled.forEach(CompiledModel::close);
        core.close();
    }
}
