package dev.infero.ir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infero.core.UnsupportedModelException;
import dev.infero.core.graph.Graph;
import dev.infero.core.graph.Value;
import dev.infero.core.op.OpFactories;
import dev.infero.core.op.OpRegistry;
import dev.infero.core.ops.Result;
import dev.infero.core.ops.activation.Relu;
import dev.infero.core.types.ElementType;
import dev.infero.core.types.PartialShape;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The reader builds layers with the op table it is given, not a global one. */
class IrReaderOpsTest {
    @TempDir
    Path dir;

    @Test
    void layersAreBuiltWithTheTablePassedIn() {
        Graph g = new Graph("m");
        Value x = g.addParameter("x", ElementType.F32, PartialShape.of(1, 4)).output(0);
        g.addResult("y", g.value(new Relu(), "relu", x));
        Path xml = IrWriter.write(g, dir, "m").xml();

        assertEquals(3, IrReader.read(xml, OpRegistry.standard()).nodes().size());
        OpFactories withoutRelu = new OpFactories();
        Result.SPEC.register(withoutRelu);
        UnsupportedModelException e = assertThrows(UnsupportedModelException.class,
                () -> IrReader.read(xml, withoutRelu));
        assertTrue(e.getMessage().contains("unsupported op: ReLU"), e.getMessage());
    }
}
