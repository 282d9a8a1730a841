package dev.infero.quantize;

/** POT's quantization presets. Weights are symmetric per output channel in both. */
public enum Preset {
    /** Symmetric activations: no zero point, the fastest INT8 kernels. */
    PERFORMANCE("performance"),
    /** Asymmetric activations (with a zero point): better for activations that are not centred, e.g. no ReLU. */
    MIXED("mixed");

    private final String pot;

    Preset(String pot) {
        this.pot = pot;
    }

    /** The name POT's config and CLI use. */
    public String potName() {
        return pot;
    }
}
