package dev.infero.cli.faces;

import dev.infero.api.Core;
import dev.infero.api.convert.ConvertOptions;
import dev.infero.api.convert.ModelConverter;
import dev.infero.core.InferoException;
import dev.infero.core.tensor.Tensor;
import dev.infero.quantize.QuantizationParameters;
import dev.infero.quantize.Quantizer;
import dev.infero.vision.Face;
import dev.infero.vision.FacePipeline;
import dev.infero.vision.ImageRegion;
import dev.infero.vision.RgbImage;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The detector and landmark models of one precision: FP32 as given, FP16 converted ({@code convert
 * --compress_to_fp16}) and INT8 quantized (DefaultQuantization, calibrated on the photos themselves: the detector
 * on its letterboxed inputs, FaceMesh on the aligned face crops the FP32 pipeline finds) into a cache folder, and
 * reused there while the source model and calibration photos are unchanged.
 */
final class FaceModels {
    /** The precisions {@code --model-precision} and {@code --compare} accept. */
    static final List<String> PRECISIONS = List.of("FP32", "FP16", "INT8");

    /** A pair of models and the precision they were made for. */
    record Variant(String precision, Path detector, Path landmarks) {
    }

    private FaceModels() {
    }

    static String precision(String value, String option) {
        String p = value.trim().toUpperCase(Locale.ROOT);
        if (!PRECISIONS.contains(p)) {
            throw new InferoException(option + ": expected FP32, FP16 or INT8, got '" + value + "'");
        }
        return p;
    }

    /**
     * The models of {@code precision}, made from the FP32 {@code detector} and {@code landmarks} into {@code cache}
     * when needed; INT8 calibrates on up to {@code subset} of {@code photos}. {@code progress} (may be null) shows
     * quantization's progress bars, {@code log} what was made.
     */
    static Variant prepare(String precision, Path detector, Path landmarks, Path cache, List<Path> photos,
                           int subset, FacePipeline.Options options, PrintStream progress, PrintWriter log) {
        return switch (precision) {
            case "FP32" -> new Variant(precision, detector, landmarks);
            case "FP16" -> new Variant(precision, fp16(detector, cache, log), fp16(landmarks, cache, log));
            case "INT8" -> int8(detector, landmarks, cache, photos, subset, options, progress, log);
            default -> throw new InferoException("unknown precision " + precision);
        };
    }

    private static Path fp16(Path model, Path cache, PrintWriter log) {
        String name = baseName(model) + "_fp16";
        String key = key(model, List.of());
        Path xml = cache.resolve(name + ".xml");
        if (cached(xml, key)) {
            log.println("[ INFO ] FP16 " + model.getFileName() + ": cached " + xml);
            return xml;
        }
        ConvertOptions o = new ConvertOptions(model, name, cache, List.of(), List.of(), List.of(), new float[0],
                new float[0], null, false, true, null);
        Path written = ModelConverter.convert(o).files().xml();
        remember(written, key);
        log.println("[ INFO ] FP16 " + model.getFileName() + ": converted to " + written);
        return written;
    }

    private static Variant int8(Path detector, Path landmarks, Path cache, List<Path> photos, int subset,
                                FacePipeline.Options options, PrintStream progress, PrintWriter log) {
        List<Path> calibration = photos.subList(0, subset <= 0 ? photos.size() : Math.min(subset, photos.size()));
        Path detXml = cache.resolve(baseName(detector) + "_int8.xml");
        Path lmXml = cache.resolve(baseName(landmarks) + "_int8.xml");
        String detKey = key(detector, calibration);
        String lmKey = key(landmarks, calibration) + "\ndetector " + key(detector, List.of());
        if (cached(detXml, detKey) && cached(lmXml, lmKey)) {
            log.println("[ INFO ] INT8 models: cached " + detXml + ", " + lmXml);
            return new Variant("INT8", detXml, lmXml);
        }
        List<Tensor> detSamples = new ArrayList<>();
        List<Tensor> lmSamples = new ArrayList<>();
        long t0 = System.nanoTime();
        try (Core core = new Core(); var fp32 = FacePipeline.open(core, detector, landmarks, options)) {
            for (Path photo : calibration) {
                RgbImage image;
                try {
                    image = RgbImage.read(photo);
                } catch (InferoException e) {
                    continue;           // reported when the photos are processed
                }
                detSamples.add(fp32.detector().translator().processInput(ImageRegion.whole(image)).getFirst());
                for (Face f : fp32.process(image)) {
                    lmSamples.add(fp32.landmarker().translator()
                            .processInput(new ImageRegion(image, f.roi())).getFirst());
                }
            }
        }
        if (detSamples.isEmpty()) {
            throw new InferoException("INT8: none of the " + calibration.size() + " photos could be read for "
                    + "calibration");
        }
        if (lmSamples.isEmpty()) {
            throw new InferoException("INT8: no face was found on the " + calibration.size() + " calibration photos,"
                    + " so FaceMesh cannot be calibrated; give --landmarks an INT8 model or photos with faces");
        }
        QuantizationParameters params = QuantizationParameters.defaults().withStatSubsetSize(0);
        Quantizer.Result det = Quantizer.quantize(detector, detSamples, params, cache,
                baseName(detector) + "_int8", null, progress);
        remember(det.xml(), detKey);
        Quantizer.Result lm = Quantizer.quantize(landmarks, lmSamples, params, cache, baseName(landmarks) + "_int8",
                null, progress);
        remember(lm.xml(), lmKey);
        log.printf(Locale.ROOT, "[ INFO ] INT8 models: quantized on %d photos and %d face crops in %.1f s: %s, %s%n",
                detSamples.size(), lmSamples.size(), (System.nanoTime() - t0) / 1e9, det.xml(), lm.xml());
        return new Variant("INT8", det.xml(), lm.xml());
    }

    static String baseName(Path model) {
        String f = model.getFileName().toString();
        return f.contains(".") ? f.substring(0, f.lastIndexOf('.')) : f;
    }

    /** What a cached model was made from: the source file's path, size and time, and the calibration photos. */
    private static String key(Path source, List<Path> calibration) {
        StringBuilder sb = new StringBuilder();
        try {
            sb.append(source.toAbsolutePath().normalize()).append(' ').append(Files.size(source)).append(' ')
                    .append(Files.getLastModifiedTime(source).toMillis());
            for (Path p : calibration) {
                sb.append('\n').append(p.toAbsolutePath().normalize()).append(' ').append(Files.size(p));
            }
        } catch (IOException e) {
            throw new InferoException("cannot read " + source + ": " + e.getMessage(), e);
        }
        return sb.toString();
    }

    private static Path keyFile(Path xml) {
        return xml.resolveSibling(xml.getFileName() + ".source");
    }

    private static boolean cached(Path xml, String key) {
        Path k = keyFile(xml);
        try {
            return Files.isRegularFile(xml) && Files.isRegularFile(xml.resolveSibling(baseName(xml) + ".bin"))
                    && Files.isRegularFile(k) && Files.readString(k).equals(key);
        } catch (IOException e) {
            return false;
        }
    }

    private static void remember(Path xml, String key) {
        try {
            Files.writeString(keyFile(xml), key);
        } catch (IOException e) {
            throw new InferoException("cannot write " + keyFile(xml) + ": " + e.getMessage(), e);
        }
    }
}
