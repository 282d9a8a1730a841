package dev.infero.core.ops.detection;

import dev.infero.core.ops.detection.DetectionOutput.Attributes;
import dev.infero.core.ops.detection.DetectionOutput.CodeType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The reference computation of {@link DetectionOutput} for one set of inputs, following OpenVINO's reference
 * implementation step by step: decode, per-class NMS (Caffe) or best-class NMS (MXNet), keep_top_k, write rows.
 * Boxes are {@code float[4·priors]} arrays of (xmin, ymin, xmax, ymax).
 */
final class DetectionOutputKernel {
    private final Attributes a;
    private final int images;
    private final int priors;
    private final int classes;
    private final int locClasses;
    private final int priorBatches;

    DetectionOutputKernel(Attributes attrs, int images, int priors, int classes, int priorBatches) {
        this.a = attrs;
        this.images = images;
        this.priors = priors;
        this.classes = classes;
        this.locClasses = attrs.shareLocation() ? 1 : classes;
        this.priorBatches = priorBatches;
    }

    /** A kept detection: its score, class and prior index. */
    private record Candidate(float score, int label, int prior) {
    }

    /** Higher score first; among equal scores the lower prior index. */
    private static final Comparator<Candidate> BEST_FIRST =
            Comparator.comparingDouble((Candidate c) -> -c.score).thenComparingInt(c -> c.prior);

    void run(float[] loc, float[] conf, float[] priorData, float[] armConf, float[] armLoc, float[] out, int rows) {
        Arrays.fill(out, 0, rows * 7, 0f);
        int written = 0;
        for (int image = 0; image < images; image++) {
            float[][] scores = scores(conf, armConf, image);
            float[][] decoded = decodeImage(loc, armLoc, priorData, image);
            Map<Integer, List<Integer>> kept = a.decreaseLabelId() ? mxnetNms(decoded, scores)
                    : caffeNms(decoded, scores);
            kept = keepTopK(kept, scores);
            for (Map.Entry<Integer, List<Integer>> e : kept.entrySet()) {
                int label = e.getKey();
                float[] boxes = decoded[a.shareLocation() ? 0 : label];
                if (boxes == null) {
                    continue;
                }
                for (int prior : e.getValue()) {
                    if (written == rows) {
                        return;
                    }
                    int r = written * 7;
                    out[r] = image;
                    out[r + 1] = a.decreaseLabelId() ? label - 1 : label;
                    out[r + 2] = scores[label][prior];
                    for (int k = 0; k < 4; k++) {
                        float v = boxes[prior * 4 + k];
                        out[r + 3 + k] = a.clipAfterNms() ? Math.max(0f, Math.min(1f, v)) : v;
                    }
                    written++;
                }
            }
        }
        if (written < rows) {
            out[written * 7] = -1;
        }
    }

    /** scores[class][prior]; with objectness, priors below objectness_score become certain background. */
    private float[][] scores(float[] conf, float[] armConf, int image) {
        float[][] s = new float[classes][priors];
        int base = image * priors * classes;
        for (int p = 0; p < priors; p++) {
            boolean background = armConf != null && armConf[image * priors * 2 + p * 2 + 1] < a.objectnessScore();
            for (int c = 0; c < classes; c++) {
                s[c][p] = background ? (c == a.backgroundLabelId() ? 1 : 0) : conf[base + p * classes + c];
            }
        }
        return s;
    }

    /** Decoded boxes per location class (index 0 when shared); null for the background class. */
    private float[][] decodeImage(float[] loc, float[] armLoc, float[] priorData, int image) {
        int batch = priorBatches == 1 ? 0 : image;
        int priorSize = a.priorSize();
        int base = batch * priors * priorSize * (a.varianceEncodedInTarget() ? 1 : 2);
        float[] priorBoxes = new float[priors * 4];
        int offset = a.normalized() ? 0 : 1;
        for (int p = 0; p < priors; p++) {
            System.arraycopy(priorData, base + p * priorSize + offset, priorBoxes, p * 4, 4);
        }
        float[] variances = null;
        if (!a.varianceEncodedInTarget()) {
            variances = Arrays.copyOfRange(priorData, base + priors * priorSize, base + priors * priorSize + priors * 4);
        }
        float[][] decoded = new float[locClasses][];
        for (int c = 0; c < locClasses; c++) {
            if (!a.shareLocation() && c == a.backgroundLabelId()) {
                continue;
            }
            float[] reference = priorBoxes;
            if (armLoc != null) {
                reference = decode(priorBoxes, variances, predictions(armLoc, image, c));
            }
            decoded[c] = decode(reference, variances, predictions(loc, image, c));
        }
        return decoded;
    }

    /** The box predictions of location class {@code c} for every prior of {@code image}. */
    private float[] predictions(float[] loc, int image, int c) {
        float[] boxes = new float[priors * 4];
        int base = image * priors * locClasses * 4;
        for (int p = 0; p < priors; p++) {
            System.arraycopy(loc, base + (p * locClasses + c) * 4, boxes, p * 4, 4);
        }
        return boxes;
    }

    /** Applies predictions to priors; variances scale the predictions unless they are encoded in them (null). */
    private float[] decode(float[] priorBoxes, float[] variances, float[] pred) {
        float[] out = new float[priors * 4];
        for (int p = 0; p < priors; p++) {
            int i = p * 4;
            float xmin = priorBoxes[i];
            float ymin = priorBoxes[i + 1];
            float xmax = priorBoxes[i + 2];
            float ymax = priorBoxes[i + 3];
            if (!a.normalized()) {
                xmin /= a.inputWidth();
                ymin /= a.inputHeight();
                xmax /= a.inputWidth();
                ymax /= a.inputHeight();
            }
            float[] v = variances == null ? new float[] {1, 1, 1, 1}
                    : new float[] {variances[i], variances[i + 1], variances[i + 2], variances[i + 3]};
            if (a.codeType() == CodeType.CORNER) {
                out[i] = xmin + v[0] * pred[i];
                out[i + 1] = ymin + v[1] * pred[i + 1];
                out[i + 2] = xmax + v[2] * pred[i + 2];
                out[i + 3] = ymax + v[3] * pred[i + 3];
            } else {
                float width = xmax - xmin;
                float height = ymax - ymin;
                float cx = v[0] * pred[i] * width + (xmin + xmax) / 2;
                float cy = v[1] * pred[i + 1] * height + (ymin + ymax) / 2;
                float w = (float) Math.exp(v[2] * pred[i + 2]) * width;
                float h = (float) Math.exp(v[3] * pred[i + 3]) * height;
                out[i] = cx - w / 2;
                out[i + 1] = cy - h / 2;
                out[i + 2] = cx + w / 2;
                out[i + 3] = cy + h / 2;
            }
            if (a.clipBeforeNms()) {
                for (int k = 0; k < 4; k++) {
                    out[i + k] = Math.max(0f, Math.min(1f, out[i + k]));
                }
            }
        }
        return out;
    }

    /** Caffe: greedy NMS within each non-background class over its top_k boxes scoring above the threshold. */
    private Map<Integer, List<Integer>> caffeNms(float[][] decoded, float[][] scores) {
        Map<Integer, List<Integer>> kept = new TreeMap<>();
        for (int c = 0; c < classes; c++) {
            if (c == a.backgroundLabelId()) {
                continue;
            }
            float[] boxes = decoded[a.shareLocation() ? 0 : c];
            List<Candidate> candidates = new ArrayList<>();
            for (int p = 0; p < priors; p++) {
                if (scores[c][p] > a.confidenceThreshold()) {
                    candidates.add(new Candidate(scores[c][p], c, p));
                }
            }
            candidates.sort(BEST_FIRST);
            if (a.topK() > -1 && a.topK() < candidates.size()) {
                candidates = candidates.subList(0, a.topK());
            }
            kept.put(c, suppress(candidates, boxes, new ArrayList<>()));
        }
        return kept;
    }

    /** MXNet: each prior competes once, with its best non-background class; NMS within each class. */
    private Map<Integer, List<Integer>> mxnetNms(float[][] decoded, float[][] scores) {
        List<Candidate> candidates = new ArrayList<>();
        for (int p = 0; p < priors; p++) {
            float best = -1;
            int label = 0;
            for (int c = 1; c < classes; c++) {
                if (a.backgroundLabelId() > -1 && c == a.backgroundLabelId()) {
                    continue;
                }
                if (scores[c][p] > best) {
                    best = scores[c][p];
                    label = c;
                }
            }
            if (label > 0 && best >= a.confidenceThreshold()) {
                candidates.add(new Candidate(best, label, p));
            }
        }
        candidates.sort(BEST_FIRST);
        if (a.topK() != -1 && candidates.size() > a.topK()) {
            candidates = candidates.subList(0, a.topK());
        }
        Map<Integer, List<Integer>> kept = new TreeMap<>();
        for (Candidate cand : candidates) {
            List<Integer> same = kept.computeIfAbsent(cand.label, k -> new ArrayList<>());
            suppress(List.of(cand), decoded[a.shareLocation() ? 0 : cand.label], same);
        }
        return kept;
    }

    /** Adds to {@code kept}, in order, each candidate overlapping no kept box by more than nms_threshold. */
    private List<Integer> suppress(List<Candidate> candidates, float[] boxes, List<Integer> kept) {
        for (Candidate cand : candidates) {
            boolean keep = true;
            for (int k : kept) {
                if (jaccard(boxes, cand.prior, k) > a.nmsThreshold()) {
                    keep = false;
                    break;
                }
            }
            if (keep) {
                kept.add(cand.prior);
            }
        }
        return kept;
    }

    /** Keeps the keep_top_k[0] best detections of the image over all classes, regrouped by class. */
    private Map<Integer, List<Integer>> keepTopK(Map<Integer, List<Integer>> kept, float[][] scores) {
        long keep = a.keepTopK()[0];
        int total = kept.values().stream().mapToInt(List::size).sum();
        if (keep <= -1 || total <= keep) {
            return kept;
        }
        List<Candidate> all = new ArrayList<>();
        kept.forEach((label, priorList) -> priorList.forEach(p -> all.add(new Candidate(scores[label][p], label, p))));
        all.sort(BEST_FIRST);
        Map<Integer, List<Integer>> out = new TreeMap<>();
        for (Candidate c : all.subList(0, (int) keep)) {
            out.computeIfAbsent(c.label, k -> new ArrayList<>()).add(c.prior);
        }
        return out;
    }

    /** Intersection over union of boxes {@code i} and {@code j}; 0 when they do not overlap. */
    private static float jaccard(float[] b, int i, int j) {
        int p = i * 4;
        int q = j * 4;
        if (b[q] > b[p + 2] || b[q + 2] < b[p] || b[q + 1] > b[p + 3] || b[q + 3] < b[p + 1]) {
            return 0;
        }
        float w = Math.min(b[p + 2], b[q + 2]) - Math.max(b[p], b[q]);
        float h = Math.min(b[p + 3], b[q + 3]) - Math.max(b[p + 1], b[q + 1]);
        if (w <= 0 || h <= 0) {
            return 0;
        }
        float intersection = w * h;
        return intersection / (area(b, p) + area(b, q) - intersection);
    }

    private static float area(float[] b, int p) {
        if (b[p + 2] < b[p] || b[p + 3] < b[p + 1]) {
            return 0;
        }
        return (b[p + 2] - b[p]) * (b[p + 3] - b[p + 1]);
    }
}
