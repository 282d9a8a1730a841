package dev.infero.accuracy;

import dev.infero.api.io.ImageInput;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * Annotation converters (the Accuracy Checker's {@code annotation_conversion}): each turns a dataset's own annotation
 * format into {@link Sample}s. Names as in Open Model Zoo where one exists:
 * <ul>
 *   <li>{@code imagenet}: {@code annotation_file} = {@code val.txt} ({@code name label} lines) or a CSV with a
 *       header ({@code file,class_index,...}); optional {@code labels_file} (one class name per line) and
 *       {@code has_background} (labels shifted by one);</li>
 *   <li>{@code mnist}: the IDX files of the MNIST test set, {@code images_file} and {@code annotation_file} (labels),
 *       gzip-compressed or not;</li>
 *   <li>{@code cifar}, {@code image_folder}: a folder of class folders (classes in alphabetical order); {@code cifar}
 *       checks there are 10;</li>
 *   <li>{@code voc_detection}: {@code annotations_dir} of VOC XML files, {@code images_dir}, optional
 *       {@code imageset_file}, {@code labels} (class names; default VOC's 20) and {@code has_background};</li>
 *   <li>{@code wider}: WIDER FACE's {@code annotation_file} ({@code name}, count, then {@code x y w h ...} lines);</li>
 *   <li>{@code landmarks}: {@code annotation_file} CSV {@code file,x0,y0,x1,y1,...} (header optional);</li>
 *   <li>{@code model_predictions}: annotations made by a reference model ({@link ReferenceAnnotations}).</li>
 * </ul>
 * A missing file is reported with the field naming it; samples whose image cannot be decoded fail when evaluated,
 * with the file named.
 */
public final class Converters {
    /** The converter names {@link #convert} accepts. */
    public static final List<String> NAMES = List.of("imagenet", "mnist", "cifar", "image_folder", "voc_detection",
            "wider", "landmarks");

    /** VOC's 20 classes, in the order of the VOC devkit. */
    public static final List<String> VOC_CLASSES = List.of("aeroplane", "bicycle", "bird", "boat", "bottle", "bus",
            "car", "cat", "chair", "cow", "diningtable", "dog", "horse", "motorbike", "person", "pottedplant",
            "sheep", "sofa", "train", "tvmonitor");

    private Converters() {
    }

    /** Converts the dataset of {@code conversion} (the {@code annotation_conversion} mapping). */
    public static Dataset convert(String name, ConfigNode conversion, Path dataSource) {
        String converter = conversion.string("converter", true);
        return switch (converter) {
            case "imagenet" -> imagenet(name, conversion, dataSource);
            case "mnist", "mnist_idx" -> mnist(name, conversion, dataSource);
            case "cifar", "cifar10", "image_folder" -> imageFolder(name, conversion, dataSource,
                    converter.startsWith("cifar") ? 10 : 0);
            case "voc_detection" -> voc(name, conversion, dataSource);
            case "wider" -> wider(name, conversion, dataSource);
            case "landmarks" -> landmarks(name, conversion, dataSource);
            default -> throw new AccuracyConfigException(conversion.at("converter") + ": unknown converter \""
                    + converter + "\"; expected one of " + String.join(", ", NAMES) + ", model_predictions");
        };
    }

    private static Path source(ConfigNode c, Path dataSource) {
        if (dataSource == null) {
            throw new AccuracyConfigException(c.path().replace(".annotation_conversion", ".data_source")
                    + ": missing (the " + c.string("converter", true) + " converter reads images from it)");
        }
        return dataSource;
    }

    private static List<String> lines(Path file, String field) {
        try {
            return Files.readAllLines(file);
        } catch (IOException e) {
            throw new AccuracyConfigException(field + ": cannot read " + file + ": " + e.getMessage());
        }
    }

    static Dataset imagenet(String name, ConfigNode c, Path dataSource) {
        c.only("converter", "annotation_file", "labels_file", "has_background", "images_dir");
        Path annotation = c.file("annotation_file", true);
        Path images = c.has("images_dir") ? c.file("images_dir", true) : source(c, dataSource);
        int shift = c.bool("has_background", false) ? 1 : 0;
        List<String> classes = new ArrayList<>();
        Path labelsFile = c.file("labels_file", false);
        if (labelsFile != null) {
            for (String l : lines(labelsFile, c.at("labels_file"))) {
                if (!l.isBlank()) {
                    classes.add(l.strip());
                }
            }
        }
        List<Sample> samples = new ArrayList<>();
        List<String> rows = lines(annotation, c.at("annotation_file"));
        boolean csv = !rows.isEmpty() && rows.getFirst().contains(",");
        int nameColumn = 0;
        int labelColumn = 1;
        int start = 0;
        if (csv) {
            List<String> header = List.of(rows.getFirst().toLowerCase(Locale.ROOT).split(","));
            if (header.stream().noneMatch(h -> h.matches("-?\\d+"))) {
                start = 1;
                nameColumn = Math.max(0, indexOfAny(header, "file", "image", "filename", "name"));
                labelColumn = indexOfAny(header, "class_index", "label", "class", "class_id");
                if (labelColumn < 0) {
                    throw new AccuracyConfigException(c.at("annotation_file") + ": " + annotation + " has no"
                            + " class_index/label column in its header " + rows.getFirst());
                }
            }
        }
        for (int i = start; i < rows.size(); i++) {
            String row = rows.get(i).strip();
            if (row.isEmpty()) {
                continue;
            }
            String[] f = csv ? row.split(",") : row.split("\\s+");
            if (f.length <= Math.max(nameColumn, labelColumn)) {
                throw new AccuracyConfigException(c.at("annotation_file") + ": " + annotation + " line " + (i + 1)
                        + ": expected a file name and a class index, got \"" + row + "\"");
            }
            int label;
            try {
                label = Integer.parseInt(f[labelColumn].strip()) + shift;
            } catch (NumberFormatException e) {
                throw new AccuracyConfigException(c.at("annotation_file") + ": " + annotation + " line " + (i + 1)
                        + ": class index \"" + f[labelColumn] + "\" is not an integer");
            }
            Path file = images.resolve(f[nameColumn].strip());
            samples.add(new Sample(f[nameColumn].strip(), () -> ImageInput.Planes.read(file),
                    new Annotation.Label(label)));
        }
        if (samples.isEmpty()) {
            throw new AccuracyConfigException(c.at("annotation_file") + ": " + annotation + " lists no images");
        }
        if (shift == 1 && !classes.isEmpty()) {
            classes.addFirst("background");
        }
        return new Dataset(name, samples, classes);
    }

    private static int indexOfAny(List<String> header, String... names) {
        for (String n : names) {
            int i = header.indexOf(n);
            if (i >= 0) {
                return i;
            }
        }
        return -1;
    }

    static Dataset mnist(String name, ConfigNode c, Path dataSource) {
        c.only("converter", "annotation_file", "images_file");
        Path labelsFile = c.file("annotation_file", true);
        Path imagesFile = c.file("images_file", true);
        byte[] labels = idx(labelsFile, 0x801, c.at("annotation_file"));
        byte[] images = idx(imagesFile, 0x803, c.at("images_file"));
        int count = readInt(labels, 4);
        int n = readInt(images, 4);
        int rows = readInt(images, 8);
        int cols = readInt(images, 12);
        if (n != count) {
            throw new AccuracyConfigException(c.at("images_file") + ": " + imagesFile + " holds " + n
                    + " images but " + labelsFile + " " + count + " labels");
        }
        if (labels.length != 8 + count || (long) images.length != 16 + (long) n * rows * cols) {
            throw new AccuracyConfigException(c.at("images_file") + ": " + imagesFile + " or " + labelsFile
                    + " is truncated (sizes do not match their headers)");
        }
        List<Sample> samples = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int at = 16 + i * rows * cols;
            samples.add(new Sample(imagesFile.getFileName() + "#" + i, () -> {
                float[] px = new float[rows * cols];
                for (int p = 0; p < px.length; p++) {
                    px[p] = images[at + p] & 0xFF;
                }
                return ImageInput.Planes.gray(cols, rows, px);
            }, new Annotation.Label(labels[8 + i] & 0xFF)));
        }
        List<String> classes = new ArrayList<>();
        for (int d = 0; d < 10; d++) {
            classes.add(String.valueOf(d));
        }
        return new Dataset(name, samples, classes);
    }

    /** An IDX file's bytes (gunzipped when it is gzip), after checking its magic number. */
    private static byte[] idx(Path file, int magic, String field) {
        byte[] bytes;
        try (InputStream raw = Files.newInputStream(file)) {
            InputStream in = raw;
            if (file.getFileName().toString().endsWith(".gz")) {
                in = new GZIPInputStream(raw);
            }
            // MNIST is 10,000 × 784 bytes; a header claiming more than 256 MB is not a dataset Infero should load.
            bytes = in.readNBytes(256 << 20);
        } catch (IOException e) {
            throw new AccuracyConfigException(field + ": cannot read " + file + ": " + e.getMessage());
        }
        if (bytes.length < 8 || readInt(bytes, 0) != magic) {
            throw new AccuracyConfigException(field + ": " + file + " is not an IDX " + (magic == 0x801 ? "label"
                    : "image") + " file (magic number " + Integer.toHexString(magic) + " expected)");
        }
        return bytes;
    }

    private static int readInt(byte[] b, int at) {
        return ((b[at] & 0xFF) << 24) | ((b[at + 1] & 0xFF) << 16) | ((b[at + 2] & 0xFF) << 8) | (b[at + 3] & 0xFF);
    }

    static Dataset imageFolder(String name, ConfigNode c, Path dataSource, int expectedClasses) {
        c.only("converter", "data_dir");
        Path root = c.has("data_dir") ? c.file("data_dir", true) : source(c, dataSource);
        List<Path> folders;
        try (Stream<Path> s = Files.list(root)) {
            folders = s.filter(Files::isDirectory).sorted().toList();
        } catch (IOException e) {
            throw new AccuracyConfigException(c.path() + ": cannot list " + root + ": " + e.getMessage());
        }
        if (expectedClasses > 0 && folders.size() != expectedClasses) {
            throw new AccuracyConfigException(c.at("converter") + ": " + root + " has " + folders.size()
                    + " class folders, CIFAR-10 has " + expectedClasses);
        }
        if (folders.isEmpty()) {
            throw new AccuracyConfigException(c.path() + ": " + root + " has no class folders");
        }
        List<Sample> samples = new ArrayList<>();
        List<String> classes = new ArrayList<>();
        for (int label = 0; label < folders.size(); label++) {
            Path folder = folders.get(label);
            classes.add(folder.getFileName().toString());
            try (Stream<Path> s = Files.list(folder)) {
                for (Path f : s.filter(Files::isRegularFile).filter(Converters::isImage).sorted().toList()) {
                    samples.add(new Sample(root.relativize(f).toString(), () -> ImageInput.Planes.read(f),
                            new Annotation.Label(label)));
                }
            } catch (IOException e) {
                throw new AccuracyConfigException(c.path() + ": cannot list " + folder + ": " + e.getMessage());
            }
        }
        // Samples are grouped by class; a subsample (every k-th) still covers every class evenly.
        return new Dataset(name, samples, classes);
    }

    static boolean isImage(Path p) {
        String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
        return n.endsWith(".jpg") || n.endsWith(".jpeg") || n.endsWith(".png") || n.endsWith(".bmp");
    }

    static Dataset voc(String name, ConfigNode c, Path dataSource) {
        c.only("converter", "annotations_dir", "images_dir", "imageset_file", "labels", "has_background");
        Path annotations = c.file("annotations_dir", true);
        Path images = c.has("images_dir") ? c.file("images_dir", true) : source(c, dataSource);
        List<String> classes = c.has("labels") ? c.strings("labels") : VOC_CLASSES;
        int shift = c.bool("has_background", false) ? 1 : 0;
        List<String> ids;
        Path imageset = c.file("imageset_file", false);
        if (imageset != null) {
            ids = lines(imageset, c.at("imageset_file")).stream().map(String::strip).filter(s -> !s.isEmpty())
                    .toList();
        } else {
            try (Stream<Path> s = Files.list(annotations)) {
                ids = s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".xml"))
                        .map(n -> n.substring(0, n.length() - 4)).sorted().toList();
            } catch (IOException e) {
                throw new AccuracyConfigException(c.at("annotations_dir") + ": cannot list " + annotations);
            }
        }
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < classes.size(); i++) {
            index.put(classes.get(i), i + shift);
        }
        List<Sample> samples = new ArrayList<>();
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        for (String id : ids) {
            Path xml = annotations.resolve(id + ".xml");
            if (!Files.isRegularFile(xml)) {
                throw new AccuracyConfigException(c.at("annotations_dir") + ": " + xml + " does not exist");
            }
            Document doc;
            try {
                f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
                doc = f.newDocumentBuilder().parse(xml.toFile());
            } catch (Exception e) {
                throw new AccuracyConfigException(c.at("annotations_dir") + ": " + xml + " is not valid XML: "
                        + e.getMessage());
            }
            String file = text(doc.getDocumentElement(), "filename", xml);
            List<Box> boxes = new ArrayList<>();
            NodeList objects = doc.getElementsByTagName("object");
            for (int i = 0; i < objects.getLength(); i++) {
                Element o = (Element) objects.item(i);
                String cls = text(o, "name", xml);
                Integer label = index.get(cls);
                if (label == null) {
                    throw new AccuracyConfigException(xml + ": object class \"" + cls + "\" is not in "
                            + c.at("labels") + " " + classes);
                }
                Element bb = (Element) o.getElementsByTagName("bndbox").item(0);
                if (bb == null) {
                    throw new AccuracyConfigException(xml + ": object " + i + " has no bndbox");
                }
                String difficult = o.getElementsByTagName("difficult").getLength() > 0
                        ? o.getElementsByTagName("difficult").item(0).getTextContent().strip() : "0";
                boxes.add(new Box(label, 1, number(bb, "xmin", xml), number(bb, "ymin", xml),
                        number(bb, "xmax", xml), number(bb, "ymax", xml), difficult.equals("1")));
            }
            Path image = images.resolve(file);
            samples.add(new Sample(file, () -> ImageInput.Planes.read(image), new Annotation.Boxes(boxes)));
        }
        List<String> names = new ArrayList<>(classes);
        if (shift == 1) {
            names.addFirst("background");
        }
        return new Dataset(name, samples, names);
    }

    private static String text(Element parent, String tag, Path file) {
        NodeList l = parent.getElementsByTagName(tag);
        if (l.getLength() == 0) {
            throw new AccuracyConfigException(file + ": no <" + tag + ">");
        }
        return l.item(0).getTextContent().strip();
    }

    private static double number(Element parent, String tag, Path file) {
        String t = text(parent, tag, file);
        try {
            return Double.parseDouble(t);
        } catch (NumberFormatException e) {
            throw new AccuracyConfigException(file + ": <" + tag + "> \"" + t + "\" is not a number");
        }
    }

    static Dataset wider(String name, ConfigNode c, Path dataSource) {
        c.only("converter", "annotation_file", "label_start");
        Path annotation = c.file("annotation_file", true);
        Path images = source(c, dataSource);
        int label = c.has("label_start") ? c.positiveInt("label_start", 1) : 0;
        List<String> rows = lines(annotation, c.at("annotation_file"));
        List<Sample> samples = new ArrayList<>();
        int i = 0;
        while (i < rows.size()) {
            String file = rows.get(i++).strip();
            if (file.isEmpty()) {
                continue;
            }
            if (i >= rows.size()) {
                throw new AccuracyConfigException(c.at("annotation_file") + ": " + annotation + " ends after \""
                        + file + "\" without a face count");
            }
            int count;
            try {
                count = Integer.parseInt(rows.get(i++).strip());
            } catch (NumberFormatException e) {
                throw new AccuracyConfigException(c.at("annotation_file") + ": " + annotation + " line " + i
                        + ": expected the number of faces, got \"" + rows.get(i - 1) + "\"");
            }
            List<Box> boxes = new ArrayList<>();
            // WIDER writes one all-zero line for an image without faces.
            int lines = Math.max(count, 1);
            for (int k = 0; k < lines; k++, i++) {
                if (i >= rows.size()) {
                    throw new AccuracyConfigException(c.at("annotation_file") + ": " + annotation + " ends inside"
                            + " the boxes of " + file);
                }
                if (count == 0) {
                    continue;
                }
                String[] f = rows.get(i).strip().split("\\s+");
                try {
                    double x = Double.parseDouble(f[0]);
                    double y = Double.parseDouble(f[1]);
                    double w = Double.parseDouble(f[2]);
                    double h = Double.parseDouble(f[3]);
                    boolean invalid = f.length > 7 && f[7].equals("1");
                    boxes.add(new Box(label, 1, x, y, x + w, y + h, invalid));
                } catch (RuntimeException e) {
                    throw new AccuracyConfigException(c.at("annotation_file") + ": " + annotation + " line "
                            + (i + 1) + ": expected x y w h, got \"" + rows.get(i) + "\"");
                }
            }
            Path image = images.resolve(file);
            samples.add(new Sample(file, () -> ImageInput.Planes.read(image), new Annotation.Boxes(boxes)));
        }
        return new Dataset(name, samples, List.of());
    }

    static Dataset landmarks(String name, ConfigNode c, Path dataSource) {
        c.only("converter", "annotation_file");
        Path annotation = c.file("annotation_file", true);
        Path images = source(c, dataSource);
        List<Sample> samples = new ArrayList<>();
        List<String> rows = lines(annotation, c.at("annotation_file"));
        int points = -1;
        for (int i = 0; i < rows.size(); i++) {
            String row = rows.get(i).strip();
            if (row.isEmpty()) {
                continue;
            }
            String[] f = row.split(",");
            float[] xy = new float[f.length - 1];
            try {
                for (int k = 1; k < f.length; k++) {
                    xy[k - 1] = Float.parseFloat(f[k].strip());
                }
            } catch (NumberFormatException e) {
                if (i == 0) {
                    continue;   // a header
                }
                throw new AccuracyConfigException(c.at("annotation_file") + ": " + annotation + " line " + (i + 1)
                        + ": expected file,x0,y0,x1,y1,... got \"" + row + "\"");
            }
            if (xy.length == 0 || xy.length % 2 != 0 || (points >= 0 && xy.length != points)) {
                throw new AccuracyConfigException(c.at("annotation_file") + ": " + annotation + " line " + (i + 1)
                        + ": expected " + (points >= 0 ? points : "an even number of") + " coordinates, got "
                        + xy.length);
            }
            points = xy.length;
            Path image = images.resolve(f[0].strip());
            samples.add(new Sample(f[0].strip(), () -> ImageInput.Planes.read(image), new Annotation.Points(xy)));
        }
        if (samples.isEmpty()) {
            throw new AccuracyConfigException(c.at("annotation_file") + ": " + annotation + " lists no images");
        }
        return new Dataset(name, samples, List.of());
    }
}
