package dev.infero.transforms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infero.core.InvalidInputException;
import dev.infero.core.graph.Graph;
import dev.infero.core.graph.Node;
import dev.infero.core.types.ElementType;
import dev.infero.core.types.PartialShape;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Mean and scale values embedded by convert: finite, and no zero scale, given per channel or once for all. */
class EmbedPreprocessingValuesTest {
    private static InvalidInputException embed(float[] mean, float[] scale) {
        Graph g = new Graph("m");
        Node x = g.addParameter("x", ElementType.F32, PartialShape.of(1, 3, 4, 4));
        g.addResult("y", x.output(0));
        return assertThrows(InvalidInputException.class, () -> new EmbedPreprocessing(List.of(x),
                new EmbedPreprocessing.Steps(false, mean, scale), 1).apply(g));
    }

    @Test
    void aSingleZeroScaleIsRefusedAsAListWithAZeroIs() {
        assertTrue(embed(new float[0], new float[] {0}).getMessage().startsWith("--scale_values must not contain 0"));
        assertTrue(embed(new float[0], new float[] {1, 0, 1}).getMessage()
                .startsWith("--scale_values must not contain 0"));
    }

    @Test
    void nonFiniteValuesAreRefusedNamingTheOption() {
        assertEquals("--mean_values must be finite numbers, got NaN in [NaN]",
                embed(new float[] {Float.NaN}, new float[0]).getMessage());
        assertTrue(embed(new float[0], new float[] {Float.POSITIVE_INFINITY}).getMessage()
                .startsWith("--scale_values must be finite numbers"));
    }
}
