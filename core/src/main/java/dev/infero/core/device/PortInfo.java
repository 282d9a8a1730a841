package dev.infero.core.device;

import dev.infero.core.types.ElementType;
import dev.infero.core.types.PartialShape;

/** Name, element type and shape of a model input or output. */
public record PortInfo(String name, ElementType type, PartialShape shape) {
    @Override
    public String toString() {
        return name + " " + type + shape;
    }
}
