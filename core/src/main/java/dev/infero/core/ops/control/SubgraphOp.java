package dev.infero.core.ops.control;

import dev.infero.core.op.Op;
import java.util.List;

/**
 * An op that carries subgraphs (Loop, TensorIterator, If). Its bodies are part of its identity: two nodes with equal
 * attributes but different bodies are different computations, so {@link #toString} names the bodies' identity.
 */
public abstract class SubgraphOp extends Op {
    /** The bodies with their port maps, in IR order. */
    public abstract List<Body> bodies();

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder(super.toString());
        for (Body b : bodies()) {
            s.append('@').append(b.tag()).append(Integer.toHexString(System.identityHashCode(b)));
        }
        return s.toString();
    }
}
