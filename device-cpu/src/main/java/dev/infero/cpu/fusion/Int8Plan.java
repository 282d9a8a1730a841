package dev.infero.cpu.fusion;

import dev.infero.core.graph.Node;
import dev.infero.core.graph.Value;
import dev.infero.cpu.step.Step;

/**
 * How an INT8 layer runs on codes: the FakeQuantize it absorbs, the value that FakeQuantize quantizes (which the step
 * reads and quantizes itself) and the step.
 */
record Int8Plan(Node fakeQuantize, Value source, Step<?> step) {
}
