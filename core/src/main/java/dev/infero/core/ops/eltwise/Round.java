package dev.infero.core.ops.eltwise;

import dev.infero.core.op.AttributeSink;

/**
 * Element-wise rounding to the nearest integer (OpenVINO Round-5); {@code mode} decides halves: to the even neighbour
 * (ONNX Round, IEEE default) or away from zero.
 */
public final class Round extends UnaryElementwise {
    public enum Mode {
        HALF_TO_EVEN, HALF_AWAY_FROM_ZERO
    }

    private final Mode mode;

    public Round(Mode mode) {
        this.mode = mode;
    }

    @Override
    public String type() {
        return "Round";
    }

    @Override
    public String version() {
        return "opset5";
    }

    @Override
    public void describe(AttributeSink sink) {
        sink.attribute("mode", mode.name().toLowerCase(java.util.Locale.ROOT));
    }

    @Override
    protected double apply(double x) {
        return mode == Mode.HALF_TO_EVEN ? Math.rint(x) : awayFromZero(x);
    }

    @Override
    protected void applyFloats(float[] x, float[] z, int n) {
        if (mode == Mode.HALF_TO_EVEN) {
            for (int i = 0; i < n; i++) {
                z[i] = (float) Math.rint(x[i]);
            }
        } else {
            for (int i = 0; i < n; i++) {
                z[i] = (float) awayFromZero(x[i]);
            }
        }
    }

    private static double awayFromZero(double x) {
        double a = Math.abs(x);
        double whole = Math.floor(a);
        return Math.copySign(a - whole >= 0.5 ? whole + 1 : whole, x);
    }
}
