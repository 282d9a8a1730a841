package dev.infero.accuracy;

import dev.infero.core.InferoException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The metrics Infero implements (dataset {@code metrics}: {@code type}, optional {@code name}, parameters):
 * {@code accuracy} ({@code top_k}), {@code map} (VOC mean average precision: {@code overlap_threshold} 0.5,
 * {@code integral} {@code 11point} or {@code max}), {@code recall} ({@code overlap_threshold}), {@code miss_rate}
 * (1 − recall at {@code fppi_level} false positives per image, default 1), {@code normed_error} (NME: mean point
 * distance over the inter-ocular distance when {@code left_eye}/{@code right_eye} point indices are given, else over
 * the diagonal of the annotated points' bounding box), {@code mae} / {@code mse} (point coordinates, pixels) and
 * {@code verification} (pairwise face verification accuracy: same-identity pairs must have cosine similarity at least
 * {@code distance_threshold}, others below; without it, the best threshold).
 */
public final class Metrics {
    public static final List<String> TYPES = List.of("accuracy", "map", "recall", "miss_rate", "normed_error", "mae",
            "mse", "verification");

    private Metrics() {
    }

    /** Builds the metric of {@code node} (one entry of {@code metrics}). */
    public static Metric create(ConfigNode node) {
        String type = node.string("type", true);
        String name = node.string("name", (String) null);
        return switch (type) {
            case "accuracy" -> {
                node.only("type", "name", "top_k", "reference", "threshold");
                int k = node.positiveInt("top_k", 1);
                yield accuracy(name == null ? "accuracy@top" + k : name, k);
            }
            case "map" -> {
                node.only("type", "name", "overlap_threshold", "integral", "reference", "threshold",
                        "presenter", "ignore_difficult");
                String integral = node.string("integral", "max");
                if (!integral.equals("11point") && !integral.equals("max")) {
                    throw new AccuracyConfigException(node.at("integral") + ": expected 11point or max, got \""
                            + integral + "\"");
                }
                yield map(name == null ? "map" : name, overlap(node), integral.equals("11point"));
            }
            case "recall" -> {
                node.only("type", "name", "overlap_threshold", "reference", "threshold");
                yield recall(name == null ? "recall" : name, overlap(node));
            }
            case "miss_rate" -> {
                node.only("type", "name", "overlap_threshold", "fppi_level", "reference", "threshold");
                double fppi = node.number("fppi_level", 1.0);
                if (fppi < 0) {
                    throw new AccuracyConfigException(node.at("fppi_level") + ": must not be negative");
                }
                yield missRate(name == null ? "miss_rate" : name, overlap(node), fppi);
            }
            case "normed_error" -> {
                node.only("type", "name", "left_eye", "right_eye", "reference", "threshold");
                int left = node.has("left_eye") ? (int) node.number("left_eye", -1) : -1;
                int right = node.has("right_eye") ? (int) node.number("right_eye", -1) : -1;
                if ((left < 0) != (right < 0)) {
                    throw new AccuracyConfigException(node.path() + ": give both left_eye and right_eye, or neither");
                }
                yield normedError(name == null ? "normed_error" : name, left, right);
            }
            case "mae", "mse" -> {
                node.only("type", "name", "reference", "threshold");
                yield pointError(name == null ? type : name, type.equals("mse"));
            }
            case "verification", "pairwise_accuracy" -> {
                node.only("type", "name", "distance_threshold", "reference", "threshold");
                yield verification(name == null ? "verification" : name,
                        node.number("distance_threshold", Double.NaN));
            }
            default -> throw new AccuracyConfigException(node.at("type") + ": unknown metric \"" + type
                    + "\"; expected one of " + String.join(", ", TYPES));
        };
    }

    private static double overlap(ConfigNode node) {
        double t = node.number("overlap_threshold", 0.5);
        if (t <= 0 || t > 1) {
            throw new AccuracyConfigException(node.at("overlap_threshold") + ": expected (0, 1], got " + t);
        }
        return t;
    }

    private record Simple(String name, String type, boolean higherIsBetter, boolean percent,
                          java.util.function.BiFunction<List<Annotation>, List<Prediction>, Double> f)
            implements Metric {
        public double evaluate(List<Annotation> a, List<Prediction> p) {
            if (a.size() != p.size()) {
                throw new IllegalArgumentException(a.size() + " annotations, " + p.size() + " predictions");
            }
            if (a.isEmpty()) {
                throw new InferoException("metric " + name + ": no samples");
            }
            return f.apply(a, p);
        }
    }

    private static <T> T as(Object o, Class<T> c, String metric) {
        if (!c.isInstance(o)) {
            throw new InferoException("metric " + metric + " cannot use " + describe(o) + " (needs "
                    + c.getSimpleName().toLowerCase(java.util.Locale.ROOT) + "); check the adapter and converter");
        }
        return c.cast(o);
    }

    private static String describe(Object o) {
        return switch (o) {
            case Annotation.Label l -> "class labels";
            case Annotation.Boxes b -> "box annotations";
            case Annotation.Points p -> "landmark annotations";
            case Annotation.Identity i -> "identity annotations";
            case Prediction.Scores s -> "class scores";
            case Prediction.Detections d -> "detections";
            case Prediction.Points p -> "predicted landmarks";
            case Prediction.Embedding e -> "embeddings";
            default -> o.getClass().getSimpleName();
        };
    }

    /** Top-k accuracy: the fraction of samples whose label is among the k best scores. */
    public static Metric accuracy(String name, int k) {
        return new Simple(name, "accuracy", true, true, (as, ps) -> {
            int hits = 0;
            for (int i = 0; i < as.size(); i++) {
                int label = as(as.get(i), Annotation.Label.class, name).label();
                float[] s = as(ps.get(i), Prediction.Scores.class, name).scores();
                if (label < 0 || label >= s.length) {
                    throw new InferoException("metric " + name + ": label " + label + " is outside the model's "
                            + s.length + " class scores");
                }
                int better = 0;
                for (float v : s) {
                    if (v > s[label]) {
                        better++;
                    }
                }
                if (better < k) {
                    hits++;
                }
            }
            return (double) hits / as.size();
        });
    }

    /** Per-class matching of detections to ground truth, as the VOC devkit does. */
    record Matching(int label, boolean[] tp, boolean[] fp, double[] scores, int positives) {
    }

    static List<Matching> match(List<Annotation> as, List<Prediction> ps, double overlap, String metric) {
        Map<Integer, List<double[]>> detections = new HashMap<>();   // label -> {score, image, index}
        Map<Integer, Integer> positives = new HashMap<>();
        List<List<Box>> truths = new ArrayList<>();
        List<List<Box>> found = new ArrayList<>();
        for (int i = 0; i < as.size(); i++) {
            List<Box> gt = as(as.get(i), Annotation.Boxes.class, metric).boxes();
            List<Box> det = as(ps.get(i), Prediction.Detections.class, metric).boxes();
            truths.add(gt);
            found.add(det);
            for (Box b : gt) {
                positives.merge(b.label(), b.difficult() ? 0 : 1, Integer::sum);
            }
            for (int d = 0; d < det.size(); d++) {
                detections.computeIfAbsent(det.get(d).label(), k -> new ArrayList<>())
                        .add(new double[] {det.get(d).score(), i, d});
            }
        }
        List<Matching> out = new ArrayList<>();
        for (int label : positives.keySet().stream().sorted().toList()) {
            List<double[]> dets = detections.getOrDefault(label, List.of());
            dets = new ArrayList<>(dets);
            dets.sort(Comparator.comparingDouble((double[] d) -> -d[0]));
            boolean[] tp = new boolean[dets.size()];
            boolean[] fp = new boolean[dets.size()];
            double[] scores = new double[dets.size()];
            Map<Integer, boolean[]> used = new HashMap<>();
            for (int k = 0; k < dets.size(); k++) {
                int image = (int) dets.get(k)[1];
                Box det = found.get(image).get((int) dets.get(k)[2]);
                scores[k] = det.score();
                List<Box> gt = truths.get(image);
                boolean[] taken = used.computeIfAbsent(image, x -> new boolean[gt.size()]);
                int best = -1;
                double bestIou = -1;
                for (int g = 0; g < gt.size(); g++) {
                    if (gt.get(g).label() == label) {
                        double iou = det.iou(gt.get(g));
                        if (iou > bestIou) {
                            bestIou = iou;
                            best = g;
                        }
                    }
                }
                if (best >= 0 && bestIou >= overlap) {
                    if (gt.get(best).difficult()) {
                        continue;   // neither a hit nor a false positive
                    }
                    if (!taken[best]) {
                        taken[best] = true;
                        tp[k] = true;
                    } else {
                        fp[k] = true;
                    }
                } else {
                    fp[k] = true;
                }
            }
            out.add(new Matching(label, tp, fp, scores, positives.get(label)));
        }
        return out;
    }

    /** VOC average precision of one class from its matching: 11-point or the area under the monotone PR curve. */
    static double averagePrecision(Matching m, boolean elevenPoint) {
        int n = m.tp().length;
        double[] recall = new double[n];
        double[] precision = new double[n];
        int tp = 0;
        int fp = 0;
        for (int k = 0; k < n; k++) {
            tp += m.tp()[k] ? 1 : 0;
            fp += m.fp()[k] ? 1 : 0;
            recall[k] = (double) tp / m.positives();
            precision[k] = tp + fp == 0 ? 0 : (double) tp / (tp + fp);
        }
        if (elevenPoint) {
            double ap = 0;
            for (int t = 0; t <= 10; t++) {
                double best = 0;
                for (int k = 0; k < n; k++) {
                    if (recall[k] >= t / 10.0 - 1e-12) {
                        best = Math.max(best, precision[k]);
                    }
                }
                ap += best / 11;
            }
            return ap;
        }
        double[] mrec = new double[n + 2];
        double[] mpre = new double[n + 2];
        mrec[n + 1] = 1;
        System.arraycopy(recall, 0, mrec, 1, n);
        System.arraycopy(precision, 0, mpre, 1, n);
        for (int i = n; i >= 0; i--) {
            mpre[i] = Math.max(mpre[i], mpre[i + 1]);
        }
        double ap = 0;
        for (int i = 1; i <= n + 1; i++) {
            if (mrec[i] != mrec[i - 1]) {
                ap += (mrec[i] - mrec[i - 1]) * mpre[i];
            }
        }
        return ap;
    }

    public static Metric map(String name, double overlap, boolean elevenPoint) {
        return new Simple(name, "map", true, true, (as, ps) -> {
            List<Matching> ms = match(as, ps, overlap, name).stream().filter(m -> m.positives() > 0).toList();
            if (ms.isEmpty()) {
                throw new InferoException("metric " + name + ": the annotations hold no (non-difficult) objects");
            }
            return ms.stream().mapToDouble(m -> averagePrecision(m, elevenPoint)).average().orElseThrow();
        });
    }

    public static Metric recall(String name, double overlap) {
        return new Simple(name, "recall", true, true, (as, ps) -> {
            int hits = 0;
            int positives = 0;
            for (Matching m : match(as, ps, overlap, name)) {
                positives += m.positives();
                for (boolean t : m.tp()) {
                    hits += t ? 1 : 0;
                }
            }
            if (positives == 0) {
                throw new InferoException("metric " + name + ": the annotations hold no (non-difficult) objects");
            }
            return (double) hits / positives;
        });
    }

    /** 1 − the best recall reachable with at most {@code fppi} false positives per image (all classes pooled). */
    public static Metric missRate(String name, double overlap, double fppi) {
        return new Simple(name, "miss_rate", false, true, (as, ps) -> {
            List<double[]> all = new ArrayList<>();   // score, tp, fp
            int positives = 0;
            for (Matching m : match(as, ps, overlap, name)) {
                positives += m.positives();
                for (int k = 0; k < m.tp().length; k++) {
                    all.add(new double[] {m.scores()[k], m.tp()[k] ? 1 : 0, m.fp()[k] ? 1 : 0});
                }
            }
            if (positives == 0) {
                throw new InferoException("metric " + name + ": the annotations hold no (non-difficult) objects");
            }
            all.sort(Comparator.comparingDouble((double[] d) -> -d[0]));
            double best = 0;
            int tp = 0;
            int fp = 0;
            for (double[] d : all) {
                tp += (int) d[1];
                fp += (int) d[2];
                if ((double) fp / as.size() <= fppi + 1e-12) {
                    best = Math.max(best, (double) tp / positives);
                }
            }
            return 1 - best;
        });
    }

    private static float[] predictedPoints(Prediction p, int count, String metric) {
        float[] xy = as(p, Prediction.Points.class, metric).xy();
        if (xy.length < 2 * count) {
            throw new InferoException("metric " + metric + ": the model gives " + xy.length / 2
                    + " points, the annotations " + count);
        }
        return xy;
    }

    /** Normalised mean error of landmarks, averaged over samples. */
    public static Metric normedError(String name, int leftEye, int rightEye) {
        return new Simple(name, "normed_error", false, true, (as, ps) -> {
            double total = 0;
            for (int i = 0; i < as.size(); i++) {
                float[] gt = as(as.get(i), Annotation.Points.class, name).xy();
                int n = gt.length / 2;
                float[] pr = predictedPoints(ps.get(i), n, name);
                double norm;
                if (leftEye >= 0) {
                    if (Math.max(leftEye, rightEye) >= n) {
                        throw new InferoException("metric " + name + ": eye point index outside the " + n
                                + " annotated points");
                    }
                    norm = Math.hypot(gt[2 * leftEye] - gt[2 * rightEye], gt[2 * leftEye + 1] - gt[2 * rightEye + 1]);
                } else {
                    double x0 = Double.MAX_VALUE;
                    double y0 = Double.MAX_VALUE;
                    double x1 = -Double.MAX_VALUE;
                    double y1 = -Double.MAX_VALUE;
                    for (int p = 0; p < n; p++) {
                        x0 = Math.min(x0, gt[2 * p]);
                        x1 = Math.max(x1, gt[2 * p]);
                        y0 = Math.min(y0, gt[2 * p + 1]);
                        y1 = Math.max(y1, gt[2 * p + 1]);
                    }
                    norm = Math.hypot(x1 - x0, y1 - y0);
                }
                if (norm <= 0) {
                    throw new InferoException("metric " + name + ": sample " + i + " has a zero normalisation"
                            + " distance");
                }
                double sum = 0;
                for (int p = 0; p < n; p++) {
                    sum += Math.hypot(pr[2 * p] - gt[2 * p], pr[2 * p + 1] - gt[2 * p + 1]);
                }
                total += sum / n / norm;
            }
            return total / as.size();
        });
    }

    /** Mean absolute (or squared) error of the point coordinates, in pixels. */
    public static Metric pointError(String name, boolean squared) {
        return new Simple(name, squared ? "mse" : "mae", false, false, (as, ps) -> {
            double total = 0;
            long count = 0;
            for (int i = 0; i < as.size(); i++) {
                float[] gt = as(as.get(i), Annotation.Points.class, name).xy();
                float[] pr = predictedPoints(ps.get(i), gt.length / 2, name);
                for (int k = 0; k < gt.length; k++) {
                    double d = pr[k] - gt[k];
                    total += squared ? d * d : Math.abs(d);
                    count++;
                }
            }
            return total / count;
        });
    }

    /** At most this many pairs of each kind are compared (every k-th pair beyond it). */
    static final int MAX_PAIRS = 200_000;

    public static Metric verification(String name, double threshold) {
        return new Simple(name, "verification", true, true, (as, ps) -> {
            int n = as.size();
            String[] ids = new String[n];
            float[][] e = new float[n][];
            for (int i = 0; i < n; i++) {
                ids[i] = as(as.get(i), Annotation.Identity.class, name).identity();
                e[i] = normalize(as(ps.get(i), Prediction.Embedding.class, name).vector());
            }
            long positives = 0;
            long total = (long) n * (n - 1) / 2;
            for (int i = 0; i < n; i++) {
                for (int j = i + 1; j < n; j++) {
                    positives += ids[i].equals(ids[j]) ? 1 : 0;
                }
            }
            if (positives == 0 || positives == total) {
                throw new InferoException("metric " + name + ": needs pairs of the same and of different identities");
            }
            long negatives = total - positives;
            long keepNeg = Math.min(Math.min(negatives, positives), MAX_PAIRS);
            long keepPos = Math.min(positives, MAX_PAIRS);
            List<double[]> pairs = new ArrayList<>();   // similarity, same
            long seenPos = 0;
            long seenNeg = 0;
            for (int i = 0; i < n; i++) {
                for (int j = i + 1; j < n; j++) {
                    boolean same = ids[i].equals(ids[j]);
                    long seen = same ? seenPos++ : seenNeg++;
                    long all = same ? positives : negatives;
                    long keep = same ? keepPos : keepNeg;
                    // keep pairs number seen*keep/all crossing an integer: an even spread over the list
                    if ((seen + 1) * keep / all != seen * keep / all) {
                        pairs.add(new double[] {dot(e[i], e[j]), same ? 1 : 0});
                    }
                }
            }
            if (!Double.isNaN(threshold)) {
                int right = 0;
                for (double[] p : pairs) {
                    right += (p[0] >= threshold) == (p[1] == 1) ? 1 : 0;
                }
                return (double) right / pairs.size();
            }
            pairs.sort(Comparator.comparingDouble((double[] p) -> p[0]));
            // Threshold below pair k: pairs k.. are called "same". Right = negatives below + positives at/above.
            long pos = pairs.stream().filter(p -> p[1] == 1).count();
            long best = pos;   // threshold below everything
            long negBelow = 0;
            long posBelow = 0;
            for (int k = 0; k < pairs.size(); k++) {
                if (pairs.get(k)[1] == 1) {
                    posBelow++;
                } else {
                    negBelow++;
                }
                if (k + 1 == pairs.size() || pairs.get(k + 1)[0] != pairs.get(k)[0]) {
                    best = Math.max(best, negBelow + pos - posBelow);
                }
            }
            return (double) best / pairs.size();
        });
    }

    private static float[] normalize(float[] v) {
        double s = 0;
        for (float x : v) {
            s += x * x;
        }
        double norm = Math.sqrt(s);
        float[] out = Arrays.copyOf(v, v.length);
        if (norm > 0) {
            for (int i = 0; i < out.length; i++) {
                out[i] /= (float) norm;
            }
        }
        return out;
    }

    private static double dot(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < Math.min(a.length, b.length); i++) {
            s += a[i] * b[i];
        }
        return s;
    }
}
