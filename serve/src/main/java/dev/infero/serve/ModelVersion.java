package dev.infero.serve;

import dev.infero.api.CompiledModel;
import dev.infero.api.Core;
import dev.infero.api.Model;
import dev.infero.core.InferoException;
import dev.infero.core.device.PortInfo;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.PartialShape;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.logging.Logger;

/**
 * One loaded version of a served model: its compiled model (and, with dynamic batching, a copy compiled for the batch
 * size), its inputs and outputs as clients see them, and the {@link InferenceEngine} that queues and runs requests.
 */
public final class ModelVersion {
    private static final Logger LOG = Logger.getLogger(ModelVersion.class.getName());

    private final String name;
    private final long version;
    private final Path file;
    private final CompiledModel single;
    private final CompiledModel batched;
    private final InferenceEngine engine;
    private final List<PortInfo> inputs;
    private final List<PortInfo> outputs;
    private final String fingerprint;

    private ModelVersion(String name, long version, Path file, CompiledModel single, CompiledModel batched,
            InferenceEngine engine, String fingerprint) {
        this.name = name;
        this.version = version;
        this.file = file;
        this.single = single;
        this.batched = batched;
        this.engine = engine;
        this.inputs = single.inputs();
        this.outputs = single.outputs();
        this.fingerprint = fingerprint;
    }

    /** Reads and compiles {@code file} as version {@code version} of {@code config} and starts its engine. */
    static ModelVersion load(Core core, ModelConfig config, long version, Path file, String fingerprint,
            ServeOptions options, ServerMetrics metrics) {
        String label = config.name() + ":" + version;
        Model model = core.readModel(file);
        CompiledModel single;
        CompiledModel batched = null;
        if (config.batchSize() > 1 && batchable(model)) {
            Model many = core.readModel(file);
            reshapeBatch(model, 1);
            reshapeBatch(many, config.batchSize());
            single = core.compileModel(model, config.targetDevice(), config.pluginConfig());
            try {
                batched = core.compileModel(many, config.targetDevice(), config.pluginConfig());
            } catch (RuntimeException e) {
                single.close();
                throw e;
            }
            if (!batchedOutputs(batched, config.batchSize())) {
                LOG.warning(() -> "model " + label + ": batch_size " + config.batchSize() + " ignored: its outputs do "
                        + "not all have the batch as first dimension");
                batched.close();
                batched = null;
            }
        } else {
            if (config.batchSize() > 1) {
                LOG.warning(() -> "model " + label + ": batch_size " + config.batchSize() + " ignored: dynamic "
                        + "batching needs every input to have a first (batch) dimension of 1 or dynamic; inputs are "
                        + model.inputs());
            }
            single = core.compileModel(model, config.targetDevice(), config.pluginConfig());
        }
        int nireq = config.nireq() > 0 ? config.nireq() : single.optimalNumberOfInferRequests();
        String v = Long.toString(version);
        InferenceEngine engine = new InferenceEngine(label, single, batched, config.batchSize(), nireq,
                options.queueSize(), options.batchTimeoutMicros() * 1000, metrics.inferenceTimer(config.name(), v));
        metrics.registerEngine(config.name(), v, engine);
        return new ModelVersion(config.name(), version, file, single, batched, engine, fingerprint);
    }

    private static boolean batchable(Model model) {
        for (PortInfo in : model.inputs()) {
            PartialShape s = in.shape();
            if (!s.hasRank() || s.rank() == 0 || (s.dim(0) != 1 && !s.isDynamic(0))) {
                return false;
            }
            for (int d = 1; d < s.rank(); d++) {
                if (s.isDynamic(d)) {
                    return false;
                }
            }
        }
        return !model.inputs().isEmpty();
    }

    private static void reshapeBatch(Model model, int batch) {
        for (PortInfo in : model.inputs()) {
            int[] dims = in.shape().dimsOrDynamic();
            dims[0] = batch;
            model.reshape(in.name(), PartialShape.of(dims));
        }
    }

    private static boolean batchedOutputs(CompiledModel m, int batch) {
        for (PortInfo out : m.outputs()) {
            if (!out.shape().isStatic() || out.shape().rank() == 0 || out.shape().dim(0) != batch) {
                return false;
            }
        }
        return true;
    }

    public String name() {
        return name;
    }

    public long version() {
        return version;
    }

    /** The model file this version was read from. */
    public Path file() {
        return file;
    }

    public List<PortInfo> inputs() {
        return inputs;
    }

    public List<PortInfo> outputs() {
        return outputs;
    }

    /** The batch size dynamic batching uses (1: none). */
    public int batchSize() {
        return engine.batchSize();
    }

    String fingerprint() {
        return fingerprint;
    }

    /**
     * Validates and converts {@code request} (every model input exactly once, shapes the model accepts, datatypes it
     * can take), queues it and waits for the outputs (all of them, in model order) until {@code deadlineNanos}.
     */
    public List<Tensor> infer(List<NamedTensor> request, long deadlineNanos) {
        Map<String, Tensor> byName = new HashMap<>();
        for (NamedTensor t : request) {
            if (byName.put(t.name(), t.tensor()) != null) {
                throw ServeException.badRequest("input '" + t.name() + "' is given twice");
            }
        }
        List<Tensor> ordered = new ArrayList<>(inputs.size());
        for (PortInfo port : inputs) {
            Tensor t = byName.remove(port.name());
            if (t == null) {
                throw ServeException.badRequest("input '" + port.name() + "' of model " + name + " is missing; the "
                        + "model's inputs are " + inputs.stream().map(PortInfo::name).toList());
            }
            String what = "input '" + port.name() + "'";
            if (!port.shape().accepts(t.shape())) {
                throw ServeException.badRequest(what + " has shape " + Arrays.toString(t.shape()) + " but model "
                        + name + " version " + version + " expects " + port.shape() + " ('?': any size)");
            }
            ordered.add(Datatypes.convert(t, port.type(), what));
        }
        if (!byName.isEmpty()) {
            throw ServeException.badRequest("model " + name + " has no input named " + byName.keySet().stream()
                    .map(n -> "'" + n + "'").toList() + "; its inputs are " + inputs.stream().map(PortInfo::name)
                    .toList());
        }
        Future<List<Tensor>> result = engine.submit(ordered, deadlineNanos);
        try {
            return result.get(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            result.cancel(false);
            throw new ServeException(ServeException.Kind.TIMEOUT, "the request to model " + name + " version "
                    + version + " did not complete within its timeout");
        } catch (InterruptedException e) {
            result.cancel(false);
            Thread.currentThread().interrupt();
            throw new ServeException(ServeException.Kind.UNAVAILABLE, "the request was interrupted (server "
                    + "shutting down)");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof ServeException s) {
                throw s;
            }
            throw new ServeException(ServeException.Kind.INTERNAL, "inference of model " + name + " failed: "
                    + (cause instanceof InferoException ? cause.getMessage() : String.valueOf(cause)), cause);
        }
    }

    /** Requests waiting or running. */
    int inFlight() {
        return engine.inFlight();
    }

    /** Stops taking requests, finishes those taken (up to {@code graceMillis}), frees the compiled models. */
    void unload(long graceMillis, ServerMetrics metrics) {
        engine.drain(graceMillis);
        metrics.unregisterEngine(name, Long.toString(version), engine);
        single.close();
        if (batched != null) {
            batched.close();
        }
    }
}
