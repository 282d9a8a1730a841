package dev.infero.core.ops.control;

import dev.infero.core.InferoException;
import dev.infero.core.op.AttributeSource;
import dev.infero.core.op.Op;
import java.util.List;

/**
 * Builds the control-flow ops from their bodies, for readers (the IR reader reads bodies and port maps itself: they
 * are not attributes). The op set registry lists them so readers know the types.
 */
public final class ControlFlowOps {
    private ControlFlowOps() {
    }

    /**
     * Lists Loop-5, TensorIterator-1 and If-8 in the registry, so readers know them; their factories refuse to
     * build without bodies ({@link #create} builds them).
     */
    public static void register(dev.infero.core.op.OpFactories r) {
        r.registerAll(Loop.SPEC, TensorIterator.SPEC, If.SPEC);
    }

    /** The IR factory of the control-flow ops: they cannot be built from attributes alone. */
    static <O extends Op> O needsBodies(AttributeSource a) {
        throw a.error("needs its bodies and port map (built by ControlFlowOps.create)");
    }

    /** Whether {@code type} carries bodies. */
    public static boolean hasBodies(String type) {
        return switch (type) {
            case "Loop", "TensorIterator", "If" -> true;
            default -> false;
        };
    }

    /** The op {@code type} over {@code bodies} (If: then, else). */
    public static Op create(String type, List<Body> bodies) {
        return switch (type) {
            case "Loop" -> new Loop(one(type, bodies));
            case "TensorIterator" -> new TensorIterator(one(type, bodies));
            case "If" -> {
                if (bodies.size() != 2) {
                    throw new InferoException("If needs then_body and else_body, got " + bodies.size() + " bodies");
                }
                yield new If(bodies.get(0), bodies.get(1));
            }
            default -> throw new InferoException(type + " does not carry bodies");
        };
    }

    private static Body one(String type, List<Body> bodies) {
        if (bodies.size() != 1) {
            throw new InferoException(type + " needs one body, got " + bodies.size());
        }
        return bodies.get(0);
    }
}
