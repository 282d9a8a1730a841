package dev.infero.onnx;

import dev.infero.onnx.ops.AttentionOps;
import dev.infero.onnx.ops.ConstantOps;
import dev.infero.onnx.ops.ContribOps;
import dev.infero.onnx.ops.ConvTransposeOps;
import dev.infero.onnx.ops.ConvolutionOps;
import dev.infero.onnx.ops.ElementwiseOps;
import dev.infero.onnx.ops.LossOps;
import dev.infero.onnx.ops.MiscOps;
import dev.infero.onnx.ops.MlOps;
import dev.infero.onnx.ops.MovementOps;
import dev.infero.onnx.ops.NormalizationOps;
import dev.infero.onnx.ops.QuantizedOps;
import dev.infero.onnx.ops.ReductionOps;
import dev.infero.onnx.ops.SelectionOps;
import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/** The ONNX operators Infero imports (default domain), each with its translator. */
public final class OnnxOpRegistry {
    private static final Map<String, OnnxTranslator> TRANSLATORS = new TreeMap<>();
    /** ONNX Runtime's contrib operators ({@code com.microsoft}), as its quantizer and transformer optimizer emit them. */
    public static final String MICROSOFT = "com.microsoft";
    private static final Map<String, OnnxTranslator> CONTRIB = new TreeMap<>();
    /** The numeric classical machine-learning operators ({@code ai.onnx.ml}). */
    private static final Map<String, OnnxTranslator> ML = new TreeMap<>();

    static {
        ConstantOps.register(TRANSLATORS);
        AttentionOps.register(TRANSLATORS);
        LossOps.register(TRANSLATORS);
        QuantizedOps.register(TRANSLATORS);
        ElementwiseOps.register(TRANSLATORS);
        ConvolutionOps.register(TRANSLATORS);
        MovementOps.register(TRANSLATORS);
        ReductionOps.register(TRANSLATORS);
        NormalizationOps.register(TRANSLATORS);
        ConvTransposeOps.register(TRANSLATORS);
        SelectionOps.register(TRANSLATORS);
        MiscOps.register(TRANSLATORS);
        dev.infero.onnx.ops.RecurrentOps.register(TRANSLATORS);
        ContribOps.register(CONTRIB);
        MlOps.register(ML);
    }

    private OnnxOpRegistry() {
    }

    public static OnnxTranslator translator(String opType) {
        return TRANSLATORS.get(opType);
    }

    /** The translator of {@code opType} in {@code domain} ("" or ai.onnx: the default domain), or {@code null}. */
    public static OnnxTranslator translator(String domain, String opType) {
        if (domain.isEmpty() || domain.equals("ai.onnx")) {
            return TRANSLATORS.get(opType);
        }
        return switch (domain) {
            case MICROSOFT -> CONTRIB.get(opType);
            case MlOps.DOMAIN -> ML.get(opType);
            default -> null;
        };
    }

    /** Names of the supported {@code com.microsoft} contrib operators, sorted. */
    public static Set<String> supportedContribOps() {
        return Collections.unmodifiableSet(CONTRIB.keySet());
    }

    /** Names of all supported ONNX operators, sorted. */
    public static Set<String> supportedOps() {
        return Collections.unmodifiableSet(TRANSLATORS.keySet());
    }
}
