package dev.infero.core.ops.quantization;

import dev.infero.core.op.Attribute;
import dev.infero.core.op.InferContext;
import dev.infero.core.op.Op;
import dev.infero.core.op.OpSpec;
import dev.infero.core.ops.eltwise.BroadcastLoop;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.core.types.PartialShape;
import dev.infero.core.types.Shapes;

/**
 * Linear quantization to an integer type: {@code saturate(round(x / scale) + zero_point)}, with round to nearest,
 * ties to even, and numpy broadcasting of x, scale and zero_point (inputs 0..2; zero_point optional, default 0).
 * The output type is {@code destination_type}; saturation clamps to its range. {@code x / scale} is computed in f32
 * for f32 inputs, as ONNX does.
 *
 * <p>Infero-specific (version "infero"): OpenVINO's ONNX frontend expresses QuantizeLinear as FakeQuantize + Convert,
 * which is not bit-exact: FakeQuantize rounds {@code (x - il) / (ih - il) * (levels - 1)}, i.e. it rounds
 * {@code x / scale + zero_point - qmin} after several f32 roundings, and ties-to-even is not invariant under adding
 * an odd integer ({@code round(0.5) + 1 = 1} but {@code round(1.5) = 2}). This op rounds {@code x / scale} itself.
 */
public final class QuantizeLinear extends Op {
    private static final Attribute<QuantizeLinear, ElementType> DESTINATION_TYPE = Attribute.elementType(
            "destination_type", (QuantizeLinear op) -> op.destination);
    /** Infero's own, written only when off. */
    private static final Attribute<QuantizeLinear, Boolean> SATURATE = Attribute.bool("saturate",
            (QuantizeLinear op) -> op.saturate).orElse(true).writtenWhen(op -> !op.saturate);
    public static final OpSpec<QuantizeLinear> SPEC = OpSpec.of(QuantizeLinear.class, "QuantizeLinear", "infero",
            a -> new QuantizeLinear(DESTINATION_TYPE.read(a), SATURATE.read(a)), DESTINATION_TYPE, SATURATE);

    private final ElementType destination;
    private final boolean saturate;

    public QuantizeLinear(ElementType destination) {
        this(destination, true);
    }

    /**
     * Quantizes to an integer type of at most 32 bits, or to an 8/4-bit float type ({@code x / scale + zero_point}
     * rounded to that format; {@code saturate} as in {@link dev.infero.core.ops.eltwise.Convert}).
     */
    public QuantizeLinear(ElementType destination, boolean saturate) {
        if (!(destination.isInteger() && destination.bits() <= 32) && destination.miniFloat() == null) {
            throw new IllegalArgumentException("QuantizeLinear quantizes to 4/8/16/32-bit integers or 8/4-bit floats, not "
                    + destination);
        }
        this.destination = destination;
        this.saturate = saturate;
    }

    @Override
    public void infer(InferContext ctx) {
        if (!ctx.inputType(0).isFloating() || ctx.inputType(1) != ctx.inputType(0)) {
            throw ctx.error("x and scale must have the same floating type, got " + ctx.inputType(0) + " and "
                    + ctx.inputType(1));
        }
        PartialShape shape = Shapes.broadcast(ctx.inputShape(0), ctx.inputShape(1));
        if (ctx.hasInput(2)) {
            if (ctx.inputType(2) != destination) {
                throw ctx.error("zero_point must be " + destination + ", got " + ctx.inputType(2));
            }
            shape = Shapes.broadcast(shape, ctx.inputShape(2));
        }
        ctx.setOutput(0, destination, shape);
    }

    @Override
    public void evaluate(Tensor[] inputs, Tensor[] outputs) {
        Tensor x = inputs[0];
        Tensor scale = inputs[1];
        Tensor zero = inputs.length > 2 && inputs[2] != null ? inputs[2] : Tensor.allocate(destination);
        Tensor out = outputs[0];
        long min = destination.isSigned() ? -(1L << (destination.bits() - 1)) : 0;
        long max = destination.isSigned() ? (1L << (destination.bits() - 1)) - 1 : (1L << destination.bits()) - 1;
        boolean f32 = x.type() == ElementType.F32;
        if (destination.miniFloat() != null) {
            byte[] codes = out.bytes();
            new BroadcastLoop(out.shape(), x.shape(), scale.shape(), zero.shape()).forEachRow((off, st, o, n) -> {
                for (int i = 0; i < n; i++) {
                    double xv = x.getDouble(off[0] + i * st[0]);
                    double sv = scale.getDouble(off[1] + i * st[1]);
                    double ratio = f32 ? (float) xv / (float) sv : xv / sv;
                    codes[o + i] = (byte) destination.miniFloat().encode(ratio + zero.getDouble(off[2] + i * st[2]),
                            saturate);
                }
            });
            return;
        }
        new BroadcastLoop(out.shape(), x.shape(), scale.shape(), zero.shape()).forEachRow((off, st, o, n) -> {
            for (int i = 0; i < n; i++) {
                double xv = x.getDouble(off[0] + i * st[0]);
                double sv = scale.getDouble(off[1] + i * st[1]);
                double ratio = f32 ? (float) xv / (float) sv : xv / sv;
                double q = Math.rint(ratio) + zero.getLong(off[2] + i * st[2]);
                out.setLong(o + i, (long) Math.max(min, Math.min(max, q)));
            }
        });
    }
}
