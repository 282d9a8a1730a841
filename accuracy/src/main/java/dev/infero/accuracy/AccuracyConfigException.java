package dev.infero.accuracy;

import dev.infero.core.InferoException;

/** A problem with an Accuracy Checker configuration or its dataset; the message names the field or file. */
public final class AccuracyConfigException extends InferoException {
    public AccuracyConfigException(String message) {
        super(message);
    }
}
