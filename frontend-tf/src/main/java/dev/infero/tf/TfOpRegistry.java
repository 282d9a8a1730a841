package dev.infero.tf;

import dev.infero.tf.ops.ConstantOps;
import dev.infero.tf.ops.ElementwiseOps;
import dev.infero.tf.ops.MovementOps;
import dev.infero.tf.ops.NnOps;
import dev.infero.tf.ops.OpenCvOps;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** The translators of the TensorFlow ops Infero supports, by op name. */
public final class TfOpRegistry {
    private static final Map<String, TfTranslator> TRANSLATORS;

    static {
        Map<String, TfTranslator> r = new HashMap<>();
        ConstantOps.register(r);
        ElementwiseOps.register(r);
        NnOps.register(r);
        MovementOps.register(r);
        OpenCvOps.register(r);
        dev.infero.tf.ops.SelectionOps.register(r);
        TRANSLATORS = Collections.unmodifiableMap(r);
    }

    private TfOpRegistry() {
    }

    /** The translator for {@code op}, or {@code null} when Infero does not support it. */
    public static TfTranslator translator(String op) {
        return TRANSLATORS.get(op);
    }

    /** Every supported op name, sorted (for documentation and messages). */
    public static Set<String> supportedOps() {
        return new TreeSet<>(TRANSLATORS.keySet());
    }
}
