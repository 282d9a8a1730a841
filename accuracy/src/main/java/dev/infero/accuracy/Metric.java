package dev.infero.accuracy;

import java.util.List;

/** A dataset-level metric over index-aligned annotations and predictions. */
public interface Metric {
    /** The name shown in reports, e.g. {@code accuracy@top1}. */
    String name();

    /** The Accuracy Checker type, e.g. {@code accuracy}, {@code map}. */
    String type();

    /** Whether larger values are better (accuracy) or worse (errors, miss rate). */
    boolean higherIsBetter();

    /** Whether values are fractions shown as percentages. */
    default boolean percent() {
        return true;
    }

    double evaluate(List<Annotation> annotations, List<Prediction> predictions);
}
