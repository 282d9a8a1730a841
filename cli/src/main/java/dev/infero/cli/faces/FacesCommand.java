package dev.infero.cli.faces;

import dev.infero.core.device.ExecutionConfig;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.infero.api.Core;
import dev.infero.cli.benchmark.Statistics;
import dev.infero.core.InferoException;
import dev.infero.core.OutputFolder;
import dev.infero.quantize.CalibrationData;
import dev.infero.vision.BlazeFaceTranslator;
import dev.infero.vision.Detection;
import dev.infero.vision.Face;
import dev.infero.vision.FacePipeline;
import dev.infero.vision.NonMaxSuppression;
import dev.infero.vision.RgbImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import javax.imageio.ImageIO;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code infero faces}: BlazeFace + FaceMesh on photos, drawn and written as JSON. */
@Command(name = "faces", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Find faces and their 468 FaceMesh landmarks on photos (MediaPipe's face mesh pipeline: "
                + "BlazeFace with anchors and weighted NMS, the face aligned by its eyes, FaceMesh on the crop). "
                + "Writes, per photo, OUT/<name>_faces.png (boxes, scores, keypoints, landmarks drawn) and "
                + "OUT/<name>_faces.json, and OUT/summary.json with the pipeline's throughput.",
            "FP16 and INT8 variants are made on the fly (INT8 calibrated on the photos) and cached in OUT/models/; "
                + "--compare draws two variants over each other and reports their mean landmark distance.",
            "  infero faces -i photos/ -o out/",
            "  infero faces -i photos/ -o out/ --compare FP32,INT8 --tiles 2"})
public final class FacesCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = {"-i", "--input"}, required = true, paramLabel = "PATH",
            description = "A photo (JPEG/PNG/BMP/GIF) or a folder of them (searched recursively).")
    Path input;

    @Option(names = {"-o", "--output-dir"}, required = true, paramLabel = "DIR",
            description = "Where the annotated PNGs, JSON files and cached model variants go.")
    Path outputDir;

    @Option(names = "--detector", paramLabel = "FILE",
            description = "BlazeFace model, 128×128 front camera (.onnx or .xml; default: blazeface.onnx in "
                    + "$INFERO_FACE_MODELS or ../shared/models/face).")
    Path detector;

    @Option(names = "--landmarks", paramLabel = "FILE",
            description = "FaceMesh model, 192×192 (.onnx or .xml; default: facemesh.onnx beside the detector).")
    Path landmarks;

    @Option(names = "--model-precision", paramLabel = "P", defaultValue = "FP32",
            description = "FP32 (the models as given), FP16 or INT8 (made from them); default ${DEFAULT-VALUE}.")
    String precision;

    @Option(names = "--compare", split = ",", paramLabel = "A,B", hideParamSyntax = true,
            description = "Run two precisions, e.g. FP32,INT8: draw both (green, magenta) and report the mean "
                    + "landmark distance of B from A.")
    List<String> compare = List.of();

    @Option(names = "--tiles", paramLabel = "N", defaultValue = "1",
            description = "Also detect on N×N overlapping tiles, for faces small in the photo (group photos); "
                    + "default ${DEFAULT-VALUE} (the whole photo only).")
    int tiles;

    @Option(names = "--min-score", paramLabel = "S", defaultValue = "0.5",
            description = "Detection score threshold; default ${DEFAULT-VALUE}.")
    float minScore;

    @Option(names = "--nms", paramLabel = "KIND", defaultValue = "weighted",
            description = "weighted (MediaPipe's, default) or plain non-maximum suppression.")
    String nms;

    @Option(names = "--nms-threshold", paramLabel = "IOU", defaultValue = "0.3",
            description = "Overlap (IoU) above which detections are merged; default ${DEFAULT-VALUE}.")
    float nmsThreshold;

    @Option(names = "--max-faces", paramLabel = "N", defaultValue = "0",
            description = "At most N faces per photo, best first (0: all).")
    int maxFaces;

    @Option(names = {"-nthreads", "--threads"}, paramLabel = "N", defaultValue = "0",
            description = "Inference threads per model (0: the device's default).")
    int threads;

    @Option(names = "--subset-size", paramLabel = "N", defaultValue = "300",
            description = "INT8: calibrate on at most N of the photos (0: all); default ${DEFAULT-VALUE}.")
    int subsetSize;

    @Option(names = "--json", description = "Print the summary as JSON instead of a table.")
    boolean json;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter log = spec.commandLine().getErr();
        List<String> precisions = precisions();
        FacePipeline.Options options = options();
        Path det = detectorModel();
        Path lm = landmarkModel(det);
        prepareOutput();
        List<Path> photos = listPhotos();
        Path cache = outputDir.resolve("models");
        List<FaceModels.Variant> variants = new ArrayList<>();
        for (String p : precisions) {
            if (!p.equals("FP32")) {
                Files.createDirectories(cache);
            }
            variants.add(FaceModels.prepare(p, det, lm, cache, photos, subsetSize, options,
                    System.console() != null ? System.err : null, log));
        }
        Run run = process(photos, variants, options, log);
        ObjectNode summary = run.summary(photos.size(), variants, options);
        Files.writeString(outputDir.resolve("summary.json"), summary.toPrettyString());
        if (json) {
            out.println(summary.toPrettyString());
        } else {
            run.print(out, variants);
        }
        if (run.processed == 0) {
            throw new InferoException("none of the " + photos.size() + " photos could be read");
        }
        return 0;
    }

    private List<String> precisions() {
        if (compare.isEmpty()) {
            return List.of(FaceModels.precision(precision, "--model-precision"));
        }
        if (compare.size() != 2) {
            throw new InferoException("--compare takes two precisions, e.g. FP32,INT8; got " + compare);
        }
        String a = FaceModels.precision(compare.get(0), "--compare");
        String b = FaceModels.precision(compare.get(1), "--compare");
        if (a.equals(b)) {
            throw new InferoException("--compare needs two different precisions, got " + a + " twice");
        }
        return List.of(a, b);
    }

    private FacePipeline.Options options() {
        if (tiles < 1 || tiles > 8) {
            throw new InferoException("--tiles must be 1..8, got " + tiles);
        }
        if (!(minScore >= 0 && minScore <= 1)) {
            throw new InferoException("--min-score must be in [0, 1], got " + minScore);
        }
        if (!(nmsThreshold > 0 && nmsThreshold <= 1)) {
            throw new InferoException("--nms-threshold must be in (0, 1], got " + nmsThreshold);
        }
        if (threads < 0 || maxFaces < 0 || subsetSize < 0) {
            throw new InferoException("--threads, --max-faces and --subset-size must not be negative");
        }
        ExecutionConfig.checkThreads("--threads", threads, Runtime.getRuntime().availableProcessors());
        NonMaxSuppression.Mode mode = switch (nms.toLowerCase(Locale.ROOT)) {
            case "weighted" -> NonMaxSuppression.Mode.WEIGHTED;
            case "plain", "default" -> NonMaxSuppression.Mode.PLAIN;
            default -> throw new InferoException("--nms: expected weighted or plain, got " + nms);
        };
        var d = BlazeFaceTranslator.Options.DEFAULT;
        var detection = new BlazeFaceTranslator.Options(minScore, d.scoreClip(), mode, nmsThreshold, 0);
        Map<String, String> config = threads > 0 ? Map.of("INFERENCE_NUM_THREADS", String.valueOf(threads))
                : Map.of();
        var o = FacePipeline.Options.DEFAULT;
        return new FacePipeline.Options(o.device(), config, detection, o.roiScale(), maxFaces, tiles,
                o.detectorRange(), o.landmarkRange(), null);
    }

    private Path detectorModel() {
        if (detector != null) {
            return existing(detector, "--detector");
        }
        List<Path> places = new ArrayList<>();
        String env = System.getenv("INFERO_FACE_MODELS");
        if (env != null && !env.isBlank()) {
            places.add(Path.of(env));
        }
        places.add(Path.of("..", "shared", "models", "face"));
        for (Path dir : places) {
            if (Files.isRegularFile(dir.resolve("blazeface.onnx"))) {
                return dir.resolve("blazeface.onnx");
            }
        }
        throw new InferoException("no BlazeFace model: give --detector FILE (or put blazeface.onnx in "
                + "$INFERO_FACE_MODELS); looked in " + places);
    }

    private Path landmarkModel(Path det) {
        if (landmarks != null) {
            return existing(landmarks, "--landmarks");
        }
        Path beside = det.resolveSibling("facemesh.onnx");
        if (Files.isRegularFile(beside)) {
            return beside;
        }
        throw new InferoException("no FaceMesh model: give --landmarks FILE (no facemesh.onnx beside " + det + ")");
    }

    private static Path existing(Path p, String option) {
        if (!Files.isRegularFile(p)) {
            throw new InferoException(option + ": model file " + p + " does not exist");
        }
        return p;
    }

    /** Creates the output folder and proves it writable before any work. */
    private void prepareOutput() {
        OutputFolder.prepare(outputDir, "output folder");
    }

    private List<Path> listPhotos() throws IOException {
        if (Files.isRegularFile(input)) {
            return List.of(input);
        }
        if (!Files.isDirectory(input)) {
            throw new InferoException("input " + input + " does not exist");
        }
        List<Path> photos = new ArrayList<>();
        for (Path p : CalibrationData.list(input)) {
            if (!p.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".npy")) {
                photos.add(p);
            }
        }
        Path out = outputDir.toAbsolutePath().normalize();
        photos.removeIf(p -> p.toAbsolutePath().normalize().startsWith(out));
        if (photos.isEmpty()) {
            throw new InferoException("no photos (JPEG, PNG, BMP, GIF) in " + input);
        }
        return photos;
    }

    private Run process(List<Path> photos, List<FaceModels.Variant> variants, FacePipeline.Options options,
                        PrintWriter log) throws IOException {
        Run run = new Run(variants.size(), photos.size());
        boolean progress = System.console() != null && !json;
        try (Core core = new Core()) {
            List<FacePipeline> pipelines = new ArrayList<>();
            try {
                for (FaceModels.Variant v : variants) {
                    pipelines.add(FacePipeline.open(core, v.detector(), v.landmarks(), options));
                }
                warmUp(photos, pipelines);
                for (int n = 0; n < photos.size(); n++) {
                    Path photo = photos.get(n);
                    if (progress) {
                        System.err.printf("\r[%d/%d] %s\u001b[K", n + 1, photos.size(), photo.getFileName());
                    }
                    processOne(photo, variants, pipelines, run, log);
                }
                if (progress) {
                    System.err.println();
                }
            } finally {
                for (FacePipeline p : pipelines) {
                    p.close();
                }
            }
        }
        return run;
    }

    /**
     * One untimed pass over the first readable photo, as benchmark_app's first inference: the first run pays for
     * class loading, JIT and the runtime's lazy kernel set-up, which would otherwise skew the timings of few photos.
     */
    private static void warmUp(List<Path> photos, List<FacePipeline> pipelines) {
        for (Path photo : photos) {
            RgbImage image;
            try {
                image = RgbImage.read(photo);
            } catch (InferoException e) {
                continue;
            }
            for (FacePipeline p : pipelines) {
                p.process(image);
            }
            return;
        }
    }

    private void processOne(Path photo, List<FaceModels.Variant> variants, List<FacePipeline> pipelines, Run run,
                            PrintWriter log) throws IOException {
        RgbImage image;
        try {
            image = RgbImage.read(photo);
        } catch (InferoException e) {
            log.println("[ WARNING ] skipped: " + e.getMessage());
            run.skipped.add(Map.of("file", photo.toString(), "error", e.getMessage()));
            return;
        }
        List<List<Face>> results = new ArrayList<>();
        for (int v = 0; v < pipelines.size(); v++) {
            long t0 = System.nanoTime();
            List<Face> faces = pipelines.get(v).process(image);
            run.latencies[v][run.processed] = System.nanoTime() - t0;
            run.faces[v] += faces.size();
            results.add(faces);
        }
        String stem = stem(photo);
        Path png = outputDir.resolve(stem + "_faces.png");
        Path jsonFile = outputDir.resolve(stem + "_faces.json");
        Files.createDirectories(png.getParent());
        List<FaceDrawing.Layer> layers = new ArrayList<>();
        for (int v = 0; v < variants.size(); v++) {
            layers.add(new FaceDrawing.Layer(variants.get(v).precision(), results.get(v)));
        }
        writeAtomically(png, tmp -> ImageIO.write(FaceDrawing.draw(image, layers), "png", tmp.toFile()));
        ObjectNode doc = FaceJson.photo(photo, image, variants, results, run);
        writeAtomically(jsonFile, tmp -> Files.writeString(tmp, doc.toPrettyString()));
        run.processed++;
    }

    /** The photo's path under the input folder without its extension ({@code a/b} for {@code photos/a/b.jpg}). */
    private String stem(Path photo) {
        Path rel = Files.isDirectory(input) ? input.relativize(photo) : photo.getFileName();
        String s = rel.toString();
        int dot = s.lastIndexOf('.');
        return dot > s.lastIndexOf(rel.getFileSystem().getSeparator()) ? s.substring(0, dot) : s;
    }

    private interface Writer {
        void write(Path tmp) throws IOException;
    }

    /** Writes to a temporary file beside {@code target}, then moves it in place: no half-written output. */
    private static void writeAtomically(Path target, Writer writer) throws IOException {
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        try {
            writer.write(tmp);
            Files.move(tmp, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Counters and timings of one run over the photos. */
    static final class Run {
        final long[][] latencies;
        final int[] faces;
        final List<Map<String, String>> skipped = new ArrayList<>();
        final List<Double> distances = new ArrayList<>();
        final List<Double> normalizedDistances = new ArrayList<>();
        int unmatched;
        int processed;

        Run(int variants, int photos) {
            latencies = new long[variants][photos];
            faces = new int[variants];
        }

        Statistics stats(int v, int percentile) {
            long[] l = java.util.Arrays.copyOf(latencies[v], processed);
            long total = 0;
            for (long x : l) {
                total += x;
            }
            return Statistics.of(l, total, 1, percentile);
        }

        double meanDistance() {
            return distances.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
        }

        double meanNormalizedDistance() {
            return normalizedDistances.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
        }

        void print(PrintWriter out, List<FaceModels.Variant> variants) {
            out.printf(Locale.ROOT, "Photos     %d processed, %d skipped%n", processed, skipped.size());
            for (var s : skipped) {
                out.printf(Locale.ROOT, "  skipped  %s: %s%n", s.get("file"), s.get("error"));
            }
            if (processed == 0) {
                return;
            }
            out.printf(Locale.ROOT, "%-9s %7s %12s %12s %10s   %s%n", "variant", "faces", "median ms", "p90 ms",
                    "photos/s", "models");
            for (int v = 0; v < variants.size(); v++) {
                Statistics med = stats(v, 50);
                Statistics p90 = stats(v, 90);
                out.printf(Locale.ROOT, "%-9s %7d %12.2f %12.2f %10.1f   %s, %s%n", variants.get(v).precision(),
                        faces[v], med.latencyMs(), p90.latencyMs(), med.throughputFps(),
                        variants.get(v).detector(), variants.get(v).landmarks());
            }
            if (variants.size() == 2) {
                out.printf(Locale.ROOT, "Landmarks  %s vs %s: mean distance %.3f px (%.2f%% of the face box) over %d"
                                + " matched faces, %d unmatched%n", variants.get(1).precision(),
                        variants.get(0).precision(), meanDistance(), 100 * meanNormalizedDistance(),
                        distances.size(), unmatched);
            }
            out.println("(per photo: detection + alignment + landmarks, image decoding and drawing excluded)");
        }

        ObjectNode summary(int photos, List<FaceModels.Variant> variants, FacePipeline.Options options) {
            JsonMapper m = new JsonMapper();
            ObjectNode root = m.createObjectNode();
            root.put("tool", "infero faces");
            root.put("photos", photos);
            root.put("processed", processed);
            root.put("tiles", options.tiles());
            root.put("min_score", options.detection().minScore());
            root.put("nms", options.detection().nms().name().toLowerCase(Locale.ROOT));
            ArrayNode vs = root.putArray("variants");
            for (int v = 0; v < variants.size(); v++) {
                ObjectNode o = vs.addObject();
                o.put("precision", variants.get(v).precision());
                o.put("detector", variants.get(v).detector().toString());
                o.put("landmarks", variants.get(v).landmarks().toString());
                o.put("faces", faces[v]);
                if (processed > 0) {
                    Statistics med = stats(v, 50);
                    o.put("median_ms", med.latencyMs());
                    o.put("p90_ms", stats(v, 90).latencyMs());
                    o.put("mean_ms", med.averageMs());
                    o.put("min_ms", med.minMs());
                    o.put("max_ms", med.maxMs());
                    o.put("photos_per_second", med.throughputFps());
                }
            }
            if (variants.size() == 2) {
                ObjectNode c = root.putObject("comparison");
                c.put("reference", variants.get(0).precision());
                c.put("compared", variants.get(1).precision());
                c.put("matched_faces", distances.size());
                c.put("unmatched_faces", unmatched);
                if (!distances.isEmpty()) {
                    c.put("mean_landmark_distance_px", meanDistance());
                    c.put("mean_landmark_distance_per_box_width", meanNormalizedDistance());
                }
            }
            ArrayNode sk = root.putArray("skipped");
            for (var s : skipped) {
                sk.addObject().put("file", s.get("file")).put("error", s.get("error"));
            }
            return root;
        }
    }

    /** Pairs faces of two variants by detection overlap (IoU ≥ 0.5), best overlap first. */
    static List<int[]> match(List<Face> a, List<Face> b) {
        List<int[]> pairs = new ArrayList<>();
        boolean[] usedB = new boolean[b.size()];
        for (int i = 0; i < a.size(); i++) {
            int best = -1;
            float bestIou = 0.5f;
            for (int j = 0; j < b.size(); j++) {
                Detection da = a.get(i).detection();
                float iou = da.iou(b.get(j).detection());
                if (!usedB[j] && iou >= bestIou) {
                    best = j;
                    bestIou = iou;
                }
            }
            if (best >= 0) {
                usedB[best] = true;
                pairs.add(new int[] {i, best});
            }
        }
        return pairs;
    }
}
