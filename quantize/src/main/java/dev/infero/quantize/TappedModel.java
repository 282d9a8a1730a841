package dev.infero.quantize;

import dev.infero.api.CompiledModel;
import dev.infero.api.Core;
import dev.infero.api.InferRequest;
import dev.infero.api.Model;
import dev.infero.core.graph.Graph;
import dev.infero.core.tensor.Tensor;
import java.util.List;

/**
 * A model compiled with chosen inner tensors as extra outputs, so one inference yields the tensors statistics are
 * gathered on. The extra outputs follow the model's own.
 */
final class TappedModel implements AutoCloseable {
    private final CompiledModel compiled;
    private final InferRequest request;
    private final int first;
    private final int count;

    TappedModel(Core core, Model model, List<TensorId> taps) {
        Graph graph = model.graph();
        first = graph.results().size();
        count = taps.size();
        for (int i = 0; i < taps.size(); i++) {
            graph.addResult("infero_statistics_" + i, taps.get(i).in(graph));
        }
        compiled = core.compileModel(model, "CPU");
        request = compiled.createInferRequest();
    }

    /** Runs on one sample; the tapped tensors, valid until the next call. */
    Tensor[] run(Tensor input) {
        request.setInput(0, input);
        request.infer();
        Tensor[] out = new Tensor[count];
        for (int i = 0; i < count; i++) {
            out[i] = request.getOutput(first + i);
        }
        return out;
    }

    @Override
    public void close() {
        compiled.close();
    }
}
