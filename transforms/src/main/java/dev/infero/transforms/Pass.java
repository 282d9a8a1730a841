package dev.infero.transforms;

import dev.infero.core.graph.Graph;

/** One named, device-independent graph rewrite. */
public interface Pass {
    /** A short name that says what the pass does, e.g. {@code constant-folding}. */
    String name();

    /** Rewrites {@code graph} in place and returns how many rewrites it made (0 when nothing matched). */
    int apply(Graph graph);
}
