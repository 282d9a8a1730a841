package dev.infero.tf;

import java.util.List;

/** Translates one TensorFlow op into Infero nodes; returns the node's outputs in order. */
@FunctionalInterface
public interface TfTranslator {
    List<TfValue> translate(TfNode node);
}
