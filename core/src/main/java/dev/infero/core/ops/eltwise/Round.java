package dev.infero.core.ops.eltwise;

import dev.infero.core.op.Attribute;
import dev.infero.core.op.OpSpec;

/**
 * Element-wise rounding to the nearest integer (OpenVINO Round-5); {@code mode} decides halves: to the even neighbour
 * (ONNX Round, IEEE default) or away from zero.
 */
public final class Round extends UnaryElementwise {
    private static final Attribute<Round, Mode> MODE = Attribute.enumValue("mode", Mode.class, (Round op) -> op.mode)
            .orElse(Mode.HALF_TO_EVEN);
    public static final OpSpec<Round> SPEC = OpSpec.of(Round.class, "Round", "opset5", a -> new Round(MODE.read(a)),
            MODE);

    public enum Mode {
        HALF_TO_EVEN, HALF_AWAY_FROM_ZERO
    }

    private final Mode mode;

    public Round(Mode mode) {
        this.mode = mode;
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
