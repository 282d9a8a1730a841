package dev.infero.onnx.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infero.core.InferoException;
import dev.infero.core.graph.Graph;
import dev.infero.core.graph.Value;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.core.types.PartialShape;
import dev.infero.onnx.OnnxModelBuilder;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** ONNX RNN/GRU/LSTM onto OpenVINO's sequence ops: gate order, bias sums, layouts and absent inputs. */
class RecurrentOpsTest {
    private static List<Value> run(String op, int outputs, Consumer<OnnxModelBuilder.NodeBuilder> attrs,
                                   Tensor... inputs) {
        Graph g = OneNodeModel.imported(14, op, OneNodeModel.numbered(outputs), attrs, inputs);
        return g.results().stream().map(r -> r.input(0)).toList();
    }

    private static double sigmoid(double v) {
        return 1 / (1 + Math.exp(-v));
    }

    @Test
    void lstmGateOrderIofcAndSummedBiasesTimeMajor() {
        // ONNX rows i, o, f, c: only c sees x; Wb (i, o, f, c) = 1, 2, 3, 0 plus Rb i = 0.5; no initial states
        Tensor x = Tensor.of(new float[] {0.5f, -1}, 2, 1, 1);
        Tensor w = Tensor.of(new float[] {0, 0, 0, 1}, 1, 4, 1);
        Tensor r = Tensor.allocate(ElementType.F32, 1, 4, 1);
        Tensor b = Tensor.of(new float[] {1, 2, 3, 0, 0.5f, 0, 0, 0}, 1, 8);
        List<Value> y = run("LSTM", 3, n -> n.attr("hidden_size", 1L), x, w, r, b);
        assertEquals(PartialShape.of(2, 1, 1, 1), y.get(0).shape());
        double c = 0;
        double[] hs = new double[2];
        for (int t = 0; t < 2; t++) {
            c = sigmoid(3) * c + sigmoid(1.5) * Math.tanh(x.getDouble(t));
            hs[t] = sigmoid(2) * Math.tanh(c);
        }
        assertArrayEquals(new float[] {(float) hs[0], (float) hs[1]}, y.get(0).knownValue().toFloatArray(), 1e-6f);
        assertArrayEquals(new float[] {(float) hs[1]}, y.get(1).knownValue().toFloatArray(), 1e-6f);
        assertArrayEquals(new float[] {(float) c}, y.get(2).knownValue().toFloatArray(), 1e-6f);
    }

    @Test
    void gruLinearBeforeResetKeepsTheCandidateBiasesApart() {
        Tensor x = Tensor.of(new float[] {1}, 1, 1, 1);
        Tensor w = Tensor.of(new float[] {0, 0, 1}, 1, 3, 1);
        Tensor b = Tensor.of(new float[] {0, 0, 0.25f, 0, 0, 3}, 1, 6);
        Tensor h0 = Tensor.of(new float[] {2}, 1, 1, 1);
        List<Value> y = run("GRU", 2, n -> n.attr("hidden_size", 1L).attr("linear_before_reset", 1L), x, w, w, b,
                null, h0);
        // z = r = 0.5; candidate tanh(1 + 0.25 + 0.5·(1·2 + 3)); H = 0.5·candidate + 0.5·2
        assertArrayEquals(new float[] {(float) (0.5 * Math.tanh(3.75) + 1)}, y.get(1).knownValue().toFloatArray(),
                1e-6f);
    }

    @Test
    void batchMajorLayoutAndBidirectionalOutputs() {
        // layout 1: X [batch 2, seq 2, 1]; H = x + H per direction (Affine 1·v + 0 keeps it linear)
        Tensor x = Tensor.of(new float[] {1, 2, 10, 20}, 2, 2, 1);
        Tensor one = Tensor.of(new float[] {1, 1}, 2, 1, 1);
        List<Value> y = run("RNN", 2, n -> n.attr("hidden_size", 1L).attr("direction", "bidirectional")
                .attr("layout", 1L).attrStrings("activations", "Affine", "Affine").attrFloats("activation_alpha", 1, 1)
                .attrFloats("activation_beta", 0, 0), x, one, one);
        assertEquals(PartialShape.of(2, 2, 2, 1), y.get(0).shape());
        // Y [batch, seq, dirs, hidden]: forward sums 1, 3 / 10, 30; reverse sums 3, 2 / 30, 20
        assertArrayEquals(new float[] {1, 3, 3, 2, 10, 30, 30, 20}, y.get(0).knownValue().toFloatArray());
        assertArrayEquals(new float[] {3, 3, 30, 30}, y.get(1).knownValue().toFloatArray());
    }

    @Test
    void differentActivationsPerDirectionAreRefusedByName() {
        Tensor x = Tensor.allocate(ElementType.F32, 1, 1, 1);
        Tensor one = Tensor.of(new float[] {1, 1}, 2, 1, 1);
        InferoException e = assertThrows(InferoException.class, () -> run("RNN", 1, n -> n.attr("hidden_size", 1L)
                .attr("direction", "bidirectional").attrStrings("activations", "Tanh", "Relu"), x, one, one));
        assertTrue(e.getMessage().contains("different activations per direction"), e.getMessage());
    }

    @Test
    void causalConvPutsThePastStateBeforeTheInputAndKeepsTheLastPositions() {
        Tensor x = Tensor.of(new float[] {1, 2, 3}, 1, 1, 3);
        Tensor w = Tensor.of(new float[] {1, 10}, 1, 1, 2);
        // sequence 5, 1, 2, 3: y[t] = seq[t] + 10·seq[t + 1]; the state is the last position
        List<Value> past = run("CausalConvWithState", 2, n -> { }, x, w, null, Tensor.of(new float[] {5}, 1, 1, 1));
        assertArrayEquals(new float[] {15, 21, 32}, past.get(0).knownValue().toFloatArray());
        assertArrayEquals(new float[] {3}, past.get(1).knownValue().toFloatArray());
        // no past state: zeros; bias 1 and SiLU on top
        List<Value> silu = run("CausalConvWithState", 2, n -> n.attr("activation", "silu"), x, w,
                Tensor.of(new float[] {1}, 1));
        float[] y = silu.get(0).knownValue().toFloatArray();
        assertEquals(11 * sigmoid(11), y[0], 1e-4);
        assertEquals(33 * sigmoid(33), y[2], 1e-4);
    }
}
