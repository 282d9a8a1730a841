package dev.infero.accuracy;

import java.util.List;

/** The ground truth of one sample, as an annotation converter produced it. */
public sealed interface Annotation {
    /** A class index (ImageNet, MNIST, CIFAR-10, a folder of class folders). */
    record Label(int label) implements Annotation {
    }

    /** Objects in the image (VOC, WIDER, ...), in original image pixels. */
    record Boxes(List<Box> boxes) implements Annotation {
    }

    /** Landmark points {@code x0, y0, x1, y1, ...} in original image pixels. */
    record Points(float[] xy) implements Annotation {
        public int count() {
            return xy.length / 2;
        }
    }

    /** Who is in the image, for face verification: images of one identity should have similar embeddings. */
    record Identity(String identity) implements Annotation {
    }
}
