package dev.infero.accuracy;

import java.util.List;

/** What an adapter made of one sample's model outputs. */
public sealed interface Prediction {
    /** Class scores (logits or probabilities: only their order matters). */
    record Scores(float[] scores) implements Prediction {
    }

    /** Detected objects in original image pixels, best first. */
    record Detections(List<Box> boxes) implements Prediction {
    }

    /** Landmark points {@code x0, y0, ...} in original image pixels. */
    record Points(float[] xy) implements Prediction {
    }

    /** A feature vector (face embedding); compared by cosine similarity. */
    record Embedding(float[] vector) implements Prediction {
    }
}
