package dev.infero.ir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.infero.core.graph.Graph;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Interpolate-4, as SSD-era Open Model Zoo IRs use it: sizes, scales and axes as inputs 1, 2, 3. */
class IrInterpolateV4Test {
    @TempDir
    Path dir;

    private static String constant(int id, String name, String type, String shape, int offset, int size, String dims) {
        return """
                <layer id="%d" name="%s" type="Const" version="opset1">
                  <data element_type="%s" shape="%s" offset="%d" size="%d"/>
                  <output><port id="0" precision="%s">%s</port></output>
                </layer>
                """.formatted(id, name, type, shape, offset, size, type.equals("f32") ? "FP32" : "I64", dims);
    }

    @Test
    void nearestUpsamplingBySizes() throws Exception {
        ByteBuffer bin = ByteBuffer.allocate(16 + 16 + 8 + 16).order(ByteOrder.LITTLE_ENDIAN);
        bin.putFloat(1).putFloat(2).putFloat(3).putFloat(4);   // data [1,1,2,2] at 0
        bin.putLong(4).putLong(4);                              // sizes at 16
        bin.putFloat(2).putFloat(2);                            // scales at 32
        bin.putLong(2).putLong(3);                              // axes at 40
        String xml = "<?xml version=\"1.0\"?>\n<net name=\"up\" version=\"11\">\n<layers>\n"
                + constant(0, "data", "f32", "1,1,2,2", 0, 16, "<dim>1</dim><dim>1</dim><dim>2</dim><dim>2</dim>")
                + constant(1, "sizes", "i64", "2", 16, 16, "<dim>2</dim>")
                + constant(2, "scales", "f32", "2", 32, 8, "<dim>2</dim>")
                + constant(3, "axes", "i64", "2", 40, 16, "<dim>2</dim>")
                + """
                <layer id="4" name="up" type="Interpolate" version="opset4">
                  <data mode="nearest" shape_calculation_mode="sizes" coordinate_transformation_mode="asymmetric"
                        nearest_mode="floor" antialias="false" pads_begin="0,0,0,0" pads_end="0,0,0,0" cube_coeff="-0.75"/>
                  <input><port id="0"/><port id="1"/><port id="2"/><port id="3"/></input>
                  <output><port id="4" precision="FP32"/></output>
                </layer>
                <layer id="5" name="out" type="Result" version="opset1"><input><port id="0"/></input></layer>
                </layers>
                <edges>
                  <edge from-layer="0" from-port="0" to-layer="4" to-port="0"/>
                  <edge from-layer="1" from-port="0" to-layer="4" to-port="1"/>
                  <edge from-layer="2" from-port="0" to-layer="4" to-port="2"/>
                  <edge from-layer="3" from-port="0" to-layer="4" to-port="3"/>
                  <edge from-layer="4" from-port="4" to-layer="5" to-port="0"/>
                </edges>
                </net>
                """;
        Files.writeString(dir.resolve("up.xml"), xml);
        Files.write(dir.resolve("up.bin"), bin.array());
        Graph g = IrReader.read(dir.resolve("up.xml"));
        float[] up = g.results().get(0).input(0).knownValue().floats();
        assertArrayEquals(new float[] {1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4}, up);
    }
}
