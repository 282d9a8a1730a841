package dev.infero.accuracy;

import dev.infero.api.io.ImageInput;
import dev.infero.core.InferoException;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.core.types.PartialShape;
import java.util.ArrayList;
import java.util.List;

/**
 * The Accuracy Checker's {@code preprocessing} list, applied to a decoded image: {@code resize} ({@code size} or
 * {@code dst_width}/{@code dst_height}, {@code aspect_ratio_scale} {@code greater} = shorter side to size,
 * {@code fit_to_window} = longer side to size, {@code width}/{@code height}), {@code crop} (centre;
 * {@code size} or {@code dst_width}/{@code dst_height}), {@code normalization} ({@code mean}, {@code std}, one value or
 * one per channel) and {@code bgr_to_rgb}/{@code rgb_to_bgr}. Channel order starts as the {@code reader} gives it:
 * BGR for {@code opencv_imread} (the Accuracy Checker's default), RGB for {@code pillow_imread}. The image is then
 * resized to the model input's height and width if it does not match yet, and laid out by {@link ImageInput}.
 * The geometry is tracked so that adapters can map coordinates back to the original image.
 */
public final class Preprocessor {
    private sealed interface Step {
    }

    private record Resize(int width, int height, String aspect) implements Step {
    }

    private record Crop(int width, int height) implements Step {
    }

    private record Normalize(float[] mean, float[] std) implements Step {
    }

    private record Swap() implements Step {
    }

    /** How input pixels map to original pixels: {@code input = original · scale − offset}, per axis. */
    public record Geometry(int inputWidth, int inputHeight, int imageWidth, int imageHeight, double scaleX,
                           double scaleY, double offsetX, double offsetY) {
        public double toImageX(double inputX) {
            return (inputX + offsetX) / scaleX;
        }

        public double toImageY(double inputY) {
            return (inputY + offsetY) / scaleY;
        }
    }

    /** A model input and the geometry that produced it. */
    public record Prepared(Tensor input, Geometry geometry) {
    }

    private final List<Step> steps;
    private final boolean startsBgr;

    private Preprocessor(List<Step> steps, boolean startsBgr) {
        this.steps = steps;
        this.startsBgr = startsBgr;
    }

    /** No preprocessing, RGB order: images are resized to the input and fed 0..255. */
    public static Preprocessor none() {
        return new Preprocessor(List.of(), false);
    }

    /** Parses the {@code preprocessing} list; {@code reader} is the dataset's reader (may be null). */
    public static Preprocessor parse(List<ConfigNode> list, String reader, String readerField) {
        boolean bgr = switch (reader == null ? "opencv_imread" : reader) {
            case "opencv_imread", "opencv" -> true;
            case "pillow_imread", "pillow", "rgb" -> false;
            default -> throw new AccuracyConfigException(readerField + ": unknown reader \"" + reader
                    + "\"; expected opencv_imread (BGR) or pillow_imread (RGB)");
        };
        List<Step> steps = new ArrayList<>();
        for (ConfigNode n : list) {
            String type = n.string("type", true);
            steps.add(switch (type) {
                case "resize" -> {
                    n.only("type", "size", "dst_width", "dst_height", "aspect_ratio_scale", "interpolation",
                            "use_pillow");
                    int size = n.positiveInt("size", 0);
                    int w = n.positiveInt("dst_width", size);
                    int h = n.positiveInt("dst_height", size);
                    if (w == 0 || h == 0) {
                        throw new AccuracyConfigException(n.path() + ": give size, or dst_width and dst_height");
                    }
                    String aspect = n.string("aspect_ratio_scale", (String) null);
                    if (aspect != null && !List.of("greater", "fit_to_window", "width", "height").contains(aspect)) {
                        throw new AccuracyConfigException(n.at("aspect_ratio_scale") + ": expected greater,"
                                + " fit_to_window, width or height, got \"" + aspect + "\"");
                    }
                    yield new Resize(w, h, aspect);
                }
                case "crop" -> {
                    n.only("type", "size", "dst_width", "dst_height", "central_crop");
                    int size = n.positiveInt("size", 0);
                    int w = n.positiveInt("dst_width", size);
                    int h = n.positiveInt("dst_height", size);
                    if (w == 0 || h == 0) {
                        throw new AccuracyConfigException(n.path() + ": give size, or dst_width and dst_height");
                    }
                    yield new Crop(w, h);
                }
                case "normalization" -> {
                    n.only("type", "mean", "std");
                    float[] mean = n.floats("mean", new float[] {0});
                    float[] std = n.floats("std", new float[] {1});
                    for (float s : std) {
                        if (s == 0) {
                            throw new AccuracyConfigException(n.at("std") + ": must not be 0");
                        }
                    }
                    if (mean.length != 1 && mean.length != 3 || std.length != 1 && std.length != 3) {
                        throw new AccuracyConfigException(n.path() + ": mean and std take 1 or 3 values");
                    }
                    yield new Normalize(mean, std);
                }
                case "bgr_to_rgb", "rgb_to_bgr" -> {
                    n.only("type");
                    yield new Swap();
                }
                default -> throw new AccuracyConfigException(n.at("type") + ": unknown preprocessing \"" + type
                        + "\"; expected resize, crop, normalization, bgr_to_rgb or rgb_to_bgr");
            });
        }
        return new Preprocessor(List.copyOf(steps), bgr);
    }

    /** Preprocesses {@code image} for an input of {@code type} and {@code shape}. */
    public Prepared apply(ImageInput.Planes image, ElementType type, PartialShape shape) {
        Frame frame = new Frame(image);
        boolean bgr = startsBgr;
        // Normalisation in physical R, G, B order: x_rgb -> (x - mean) / std, composed over the steps.
        float[] mean = {0, 0, 0};
        float[] std = {1, 1, 1};
        for (Step step : steps) {
            switch (step) {
                case Resize r -> {
                    int[] size = resizedSize(r, frame.image.width(), frame.image.height());
                    frame.resize(size[0], size[1]);
                }
                case Crop c -> frame.crop(c.width(), c.height());
                case Normalize n -> {
                    for (int ch = 0; ch < 3; ch++) {
                        int at = bgr ? 2 - ch : ch;   // position of physical channel ch in the current order
                        float m = n.mean().length == 1 ? n.mean()[0] : n.mean()[at];
                        float s = n.std().length == 1 ? n.std()[0] : n.std()[at];
                        // ((x - m0) / s0 - m) / s = (x - (m0 + m s0)) / (s0 s)
                        mean[ch] = mean[ch] + m * std[ch];
                        std[ch] = std[ch] * s;
                    }
                }
                case Swap s -> bgr = !bgr;
            }
        }
        int[] hw = ImageInput.inputSize(shape, frame.image.height(), frame.image.width());
        if (hw[0] != frame.image.height() || hw[1] != frame.image.width()) {
            frame.resize(hw[1], hw[0]);
        }
        float[] m = bgr ? new float[] {mean[2], mean[1], mean[0]} : mean;
        float[] s = bgr ? new float[] {std[2], std[1], std[0]} : std;
        int channels = channels(shape);
        if (channels == 1) {
            m = new float[] {mean[0]};
            s = new float[] {std[0]};
        }
        Tensor input;
        try {
            input = ImageInput.load(frame.image, type, shape, new ImageInput.Preprocessing(m, s, bgr));
        } catch (InferoException e) {
            throw new InferoException("cannot feed the preprocessed image to the model: " + e.getMessage(), e);
        }
        return new Prepared(input, frame.geometry());
    }

    /** The image as the steps change it, with the {@link Geometry} scale and offset every resize and crop update. */
    private static final class Frame {
        private final int originalWidth;
        private final int originalHeight;
        private ImageInput.Planes image;
        private double sx = 1;
        private double sy = 1;
        private double ox;
        private double oy;

        Frame(ImageInput.Planes image) {
            this.image = image;
            this.originalWidth = image.width();
            this.originalHeight = image.height();
        }

        void resize(int width, int height) {
            double fx = (double) width / image.width();
            double fy = (double) height / image.height();
            image = image.resize(width, height);
            sx *= fx;
            sy *= fy;
            ox *= fx;
            oy *= fy;
        }

        /** The centred {@code width} x {@code height} window. */
        void crop(int width, int height) {
            int x0 = (image.width() - width) / 2;
            int y0 = (image.height() - height) / 2;
            image = image.crop(x0, y0, width, height);
            ox += x0;
            oy += y0;
        }

        Geometry geometry() {
            return new Geometry(image.width(), image.height(), originalWidth, originalHeight, sx, sy, ox, oy);
        }
    }

    private static int channels(PartialShape shape) {
        if (shape.hasRank() && shape.rank() >= 3) {
            int first = shape.rank() == 4 ? 1 : 0;
            int d = shape.dim(first);
            return d == 1 || d == 3 ? d : shape.dim(shape.rank() - 1);
        }
        return 3;
    }

    private static int[] resizedSize(Resize r, int w, int h) {
        if (r.aspect() == null) {
            return new int[] {r.width(), r.height()};
        }
        double scale = switch (r.aspect()) {
            case "greater" -> Math.max((double) r.width() / w, (double) r.height() / h);
            case "fit_to_window" -> Math.min((double) r.width() / w, (double) r.height() / h);
            case "width" -> (double) r.width() / w;
            default -> (double) r.height() / h;
        };
        return new int[] {Math.max(1, (int) Math.round(w * scale)), Math.max(1, (int) Math.round(h * scale))};
    }
}
