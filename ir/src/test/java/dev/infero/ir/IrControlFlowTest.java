package dev.infero.ir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infero.core.graph.Graph;
import dev.infero.core.graph.Value;
import dev.infero.core.ops.control.Body;
import dev.infero.core.ops.control.If;
import dev.infero.core.ops.control.Loop;
import dev.infero.core.ops.control.TensorIterator;
import dev.infero.core.ops.eltwise.Add;
import dev.infero.core.ops.eltwise.Convert;
import dev.infero.core.ops.eltwise.Multiply;
import dev.infero.core.ops.logical.Less;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.core.types.PartialShape;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Loop, TensorIterator and If bodies written as OpenVINO writes them (port maps, back edges, special ports, nested
 * bodies) and read back: the read graph computes the same values (constant inputs fold on reading).
 */
class IrControlFlowTest {
    @TempDir
    Path dir;

    /** acc' = acc + i while i < 2, with an If inside choosing +i or ·1 by a flag from outside the loop. */
    private static Body loopBody() {
        Graph b = new Graph("body");
        Value i = b.addParameter("i", ElementType.I64, PartialShape.scalar()).output(0);
        b.addParameter("cond_in", ElementType.BOOLEAN, PartialShape.scalar());
        Value acc = b.addParameter("acc", ElementType.F32, PartialShape.of(1)).output(0);
        Value flag = b.addParameter("flag", ElementType.BOOLEAN, PartialShape.scalar()).output(0);
        Value iF = b.value(new Convert(ElementType.F32), "i_f", i);
        Value next = b.add(new If(add("then", true), add("else", false)), "choose", flag, acc, iF).output(0);
        b.addResult("cond_out", b.value(new Less(), "more", i, b.addConstant("two", Tensor.scalar(2L)).output(0)));
        b.addResult("acc_out", next);
        return new Body("body", "port_map", b, List.of(Body.Input.whole(1, 1), Body.Input.whole(2, 2),
                Body.Input.whole(3, 3)), List.of(Body.Output.last(0, 1), Body.Output.concat(1, 1, 0, 1)),
                List.of(new Body.BackEdge(0, 1), new Body.BackEdge(1, 2)), 0, 0);
    }

    /** acc + x (then) or acc · 1 (else), from op inputs 1 and 2. */
    private static Body add(String tag, boolean then) {
        Graph b = new Graph(tag);
        Value acc = b.addParameter("acc", ElementType.F32, PartialShape.of(1)).output(0);
        Value x = b.addParameter("x", ElementType.F32, PartialShape.scalar()).output(0);
        b.addResult("y", then ? b.value(new Add(), "y", acc, x)
                : b.value(new Multiply(), "y", acc, b.addConstant("one", Tensor.of(new float[] {1}, 1)).output(0)));
        return new Body(tag + "_body", tag + "_port_map", b, List.of(Body.Input.whole(1, 0), Body.Input.whole(2, 1)),
                List.of(Body.Output.last(0, 0)), List.of(), -1, -1);
    }

    @Test
    void loopWithANestedIfAndATensorIteratorSurviveTheRoundTrip() throws Exception {
        Graph g = new Graph("flow");
        Value loop = g.add(new Loop(loopBody()), "loop", g.addConstant("trip", Tensor.scalar(5L)).output(0),
                g.addConstant("cond", Tensor.scalar(true)).output(0), g.addConstant("acc0", Tensor.of(new float[] {10}, 1))
                        .output(0), g.addConstant("flag", Tensor.scalar(true)).output(0)).output(1);
        g.addResult("stack", loop);
        Graph tb = new Graph("ti");
        Value acc = tb.addParameter("acc", ElementType.F32, PartialShape.of(1)).output(0);
        Value x = tb.addParameter("x", ElementType.F32, PartialShape.of(1)).output(0);
        tb.addResult("acc_out", tb.value(new Add(), "next", tb.value(new Multiply(), "shift", acc,
                tb.addConstant("ten", Tensor.of(new float[] {10}, 1)).output(0)), x));
        Body tiBody = new Body("body", "port_map", tb, List.of(Body.Input.whole(0, 0),
                new Body.Input(1, 1, 0L, -1, -1, 0, 1)), List.of(Body.Output.concat(0, 0, 0, -1)),
                List.of(new Body.BackEdge(0, 0)), -1, -1);
        g.addResult("digits", g.add(new TensorIterator(tiBody), "ti", g.addConstant("z", Tensor.of(new float[] {0}, 1))
                .output(0), g.addConstant("xs", Tensor.of(new float[] {1, 2, 3}, 3)).output(0)).output(0));

        IrWriter.Written w = IrWriter.write(g, dir, "flow");
        String xml = Files.readString(w.xml());
        assertTrue(xml.contains("purpose=\"current_iteration\"") && xml.contains("purpose=\"execution_condition\"")
                && xml.contains("<back_edges>") && xml.contains("<then_body>") && xml.contains("stride=\"-1\""), xml);
        Graph read = IrReader.read(w.xml());
        assertArrayEquals(new float[] {10, 11, 13}, read.results().get(0).input(0).knownValue().toFloatArray());
        assertArrayEquals(new float[] {321, 32, 3}, read.results().get(1).input(0).knownValue().toFloatArray());
    }
}
