package dev.infero.cli.accuracy;

import dev.infero.core.InferoException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * The Accuracy Checker configuration the options form of {@code infero accuracy} stands for: one dataset whose
 * converter is chosen from the folder's content, the metric(s) asked for, the adapter, and preprocessing options.
 */
final class OptionsConfig {
    private OptionsConfig() {
    }

    static String yaml(Path dataset, Path annotation, String metric, List<Integer> topK, String adapter,
                       Integer resize, Integer crop, List<Float> mean, List<Float> std, boolean bgr,
                       Integer subsample) {
        if (!Files.isDirectory(dataset)) {
            throw new InferoException("-d: " + dataset + " is not a folder");
        }
        StringBuilder y = new StringBuilder();
        y.append("models:\n- name: model\n  launchers:\n  - framework: openvino\n    adapter: ")
                .append(adapter).append("\n  datasets:\n  - name: ").append(quote(dataset.getFileName().toString()))
                .append("\n    data_source: ").append(quote(dataset.toString()))
                .append("\n    reader: ").append(bgr ? "opencv_imread" : "pillow_imread")
                .append("\n    annotation_conversion:\n").append(converter(dataset, annotation));
        if (subsample != null) {
            y.append("    subsample_size: ").append(subsample).append('\n');
        }
        y.append("    preprocessing:\n");
        if (resize != null) {
            y.append("    - {type: resize, size: ").append(resize).append(", aspect_ratio_scale: greater}\n");
        }
        if (crop != null) {
            y.append("    - {type: crop, size: ").append(crop).append("}\n");
        }
        if (!mean.isEmpty() || !std.isEmpty()) {
            y.append("    - {type: normalization");
            if (!mean.isEmpty()) {
                y.append(", mean: ").append(mean);
            }
            if (!std.isEmpty()) {
                y.append(", std: ").append(std);
            }
            y.append("}\n");
        }
        y.append("    metrics:\n");
        if (metric.equals("accuracy")) {
            for (int k : topK.isEmpty() ? List.of(1) : topK) {
                y.append("    - {type: accuracy, top_k: ").append(k).append("}\n");
            }
        } else {
            y.append("    - {type: ").append(metric).append("}\n");
        }
        return y.toString();
    }

    private static String converter(Path dataset, Path annotation) {
        if (annotation != null) {
            return "      {converter: imagenet, annotation_file: " + quote(annotation.toString()) + "}\n";
        }
        try (Stream<Path> s = Files.list(dataset)) {
            List<String> names = s.map(p -> p.getFileName().toString()).sorted().toList();
            String images = names.stream().filter(n -> n.contains("images-idx3")).findFirst().orElse(null);
            String labels = names.stream().filter(n -> n.contains("labels-idx1")).findFirst().orElse(null);
            if (images != null && labels != null) {
                return "      {converter: mnist, images_file: " + quote(dataset.resolve(images).toString())
                        + ", annotation_file: " + quote(dataset.resolve(labels).toString()) + "}\n";
            }
            for (String n : List.of("labels.csv", "val.txt")) {
                if (names.contains(n)) {
                    return "      {converter: imagenet, annotation_file: " + quote(dataset.resolve(n).toString())
                            + "}\n";
                }
            }
            if (Files.isDirectory(dataset.resolve("test"))) {
                return "      {converter: image_folder, data_dir: " + quote(dataset.resolve("test").toString())
                        + "}\n";
            }
            return "      {converter: image_folder}\n";
        } catch (IOException e) {
            throw new InferoException("-d: cannot list " + dataset + ": " + e.getMessage());
        }
    }

    private static String quote(String s) {
        return "'" + s.replace("'", "''") + "'";
    }
}
