package dev.infero.onnx.ops;

import dev.infero.core.graph.Graph;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.onnx.OnnxImporter;
import dev.infero.onnx.OnnxModelBuilder;
import java.util.function.Consumer;

/** The model every translator test imports: one ONNX node over constant inputs, which fold at import. */
final class OneNodeModel {
    private OneNodeModel() {
    }

    /**
     * Node {@code op} (named {@code n}, attributes from {@code attrs}) of opset {@code opset} reading initializers
     * {@code in0, in1, ...} ({@code null} marks an absent input) and writing the f32 model outputs {@code outputs},
     * imported into a graph.
     */
    static Graph imported(int opset, String op, String[] outputs, Consumer<OnnxModelBuilder.NodeBuilder> attrs,
                          Tensor... inputs) {
        OnnxModelBuilder b = new OnnxModelBuilder("m", opset);
        String[] names = new String[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            names[i] = inputs[i] == null ? "" : "in" + i;
            if (inputs[i] != null) {
                b.initializer(names[i], inputs[i]);
            }
        }
        for (String out : outputs) {
            b.output(out, ElementType.F32);
        }
        attrs.accept(b.node(op, "n").inputs(names).outputs(outputs));
        return OnnxImporter.importModel(b.build(), null, "m");
    }

    /** Output names {@code y0 ... y(n-1)}. */
    static String[] numbered(int n) {
        String[] outs = new String[n];
        for (int i = 0; i < n; i++) {
            outs[i] = "y" + i;
        }
        return outs;
    }
}
