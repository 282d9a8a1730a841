package dev.infero.core.ops.eltwise;

import dev.infero.core.op.Attribute;
import dev.infero.core.op.InferContext;
import dev.infero.core.op.Op;
import dev.infero.core.op.OpSpec;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.tensor.TensorBytes;
import dev.infero.core.types.ElementType;
import java.nio.ByteBuffer;

/**
 * Reinterprets each element's bits as another type of the same width (ONNX BitCast; Infero's own op, version
 * "infero"), for example f32 → i32 gives the IEEE bit patterns. The shape is unchanged.
 */
public final class BitCast extends Op {
    private static final Attribute<BitCast, ElementType> DESTINATION_TYPE = Attribute.elementType(
            "destination_type", BitCast::destination);
    public static final OpSpec<BitCast> SPEC = OpSpec.of(BitCast.class, "BitCast", "infero",
            a -> new BitCast(DESTINATION_TYPE.read(a)), DESTINATION_TYPE);

    private final ElementType destination;

    public BitCast(ElementType destination) {
        this.destination = destination;
    }

    public ElementType destination() {
        return destination;
    }

    @Override
    public void infer(InferContext ctx) {
        if (ctx.inputType(0).bits() != destination.bits()) {
            throw ctx.error("cannot reinterpret " + ctx.inputType(0) + " (" + ctx.inputType(0).bits() + " bits) as "
                    + destination + " (" + destination.bits() + " bits)");
        }
        ctx.setOutput(0, destination, ctx.inputShape(0));
    }

    @Override
    public void evaluate(Tensor[] inputs, Tensor[] outputs) {
        Tensor bits = TensorBytes.fromLittleEndian(destination, inputs[0].shape(),
                ByteBuffer.wrap(TensorBytes.toLittleEndian(inputs[0])), "BitCast");
        bits.copyTo(outputs[0]);
    }
}
