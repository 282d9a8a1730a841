package dev.infero.ir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.infero.core.graph.Graph;
import dev.infero.core.tensor.Tensor;
import dev.infero.testing.IrXml;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Interpolate-4, as SSD-era Open Model Zoo IRs use it: sizes, scales and axes as inputs 1, 2, 3. */
class IrInterpolateV4Test {
    @TempDir
    Path dir;

    @Test
    void nearestUpsamplingBySizes() {
        IrXml ir = new IrXml("up", 11);
        int data = ir.constant("data", Tensor.of(new float[] {1, 2, 3, 4}, 1, 1, 2, 2), 0);
        int sizes = ir.constant("sizes", Tensor.vector(4, 4), 0);
        int scales = ir.constant("scales", Tensor.of(new float[] {2, 2}, 2), 0);
        int axes = ir.constant("axes", Tensor.vector(2, 3), 0);
        int interpolate = ir.layer("up", "Interpolate", "opset4").data("mode=\"nearest\" shape_calculation_mode=\"sizes\" "
                + "coordinate_transformation_mode=\"asymmetric\" nearest_mode=\"floor\" antialias=\"false\" "
                + "pads_begin=\"0,0,0,0\" pads_end=\"0,0,0,0\" cube_coeff=\"-0.75\"").in().in().in().in()
                .out(4, "FP32").id();
        int out = ir.result("out");
        ir.edge(data, 0, interpolate, 0).edge(sizes, 0, interpolate, 1).edge(scales, 0, interpolate, 2)
                .edge(axes, 0, interpolate, 3).edge(interpolate, 4, out, 0);
        Graph g = IrReader.read(ir.write(dir, "up"));
        float[] up = g.results().get(0).input(0).knownValue().floats();
        assertArrayEquals(new float[] {1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4}, up);
    }
}
