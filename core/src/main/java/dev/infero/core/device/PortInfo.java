package dev.infero.core.device;

import dev.infero.core.graph.Value;
import dev.infero.core.types.ElementType;
import dev.infero.core.types.PartialShape;

/** Name, element type and shape of a model input or output. */
public record PortInfo(String name, ElementType type, PartialShape shape) {
    /** The port of a model input or output: the output value of its Parameter or Result node. */
    public static PortInfo of(Value port) {
        return new PortInfo(port.portName(), port.type(), port.shape());
    }

    @Override
    public String toString() {
        return name + " " + type + shape;
    }
}
