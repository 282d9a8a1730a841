package dev.infero.api.io;

import dev.infero.transforms.EmbedPreprocessing;
import picocli.CommandLine.Option;

/**
 * The image preprocessing options of every command that feeds images to a model ({@code infero run},
 * {@code infero spark-batch}), declared once as a picocli mixin: {@code @Mixin ImageOptions image;}. The values are
 * checked (finite, no zero scale) when {@link #preprocessing()} builds the {@link ImageInput.Preprocessing}.
 */
public final class ImageOptions {
    @Option(names = "--mean-values", paramLabel = "R,G,B", split = ",", hideParamSyntax = true,
            description = "Subtracted from image channels (in the model's channel order).")
    float[] mean = {0};

    @Option(names = "--scale-values", paramLabel = "R,G,B", split = ",", hideParamSyntax = true,
            description = "Image channels are divided by these after the mean is subtracted.")
    float[] scale = {1};

    @Option(names = "--reverse-input-channels", description = "Feed images as BGR instead of RGB.")
    boolean reverseChannels;

    /** The options as preprocessing; one clear error naming the option when a value is not usable. */
    public ImageInput.Preprocessing preprocessing() {
        EmbedPreprocessing.checkValues("--mean-values", mean, false);
        EmbedPreprocessing.checkValues("--scale-values", scale, true);
        return new ImageInput.Preprocessing(mean, scale, reverseChannels);
    }
}
