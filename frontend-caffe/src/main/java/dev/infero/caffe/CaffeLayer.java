package dev.infero.caffe;

import dev.infero.caffe.proto.Caffe.BlobProto;
import dev.infero.caffe.proto.Caffe.LayerParameter;
import dev.infero.core.InferoException;
import dev.infero.core.InvalidModelException;
import dev.infero.core.graph.Graph;
import dev.infero.core.graph.Value;
import dev.infero.core.op.Op;
import dev.infero.core.tensor.Tensor;
import java.util.Arrays;
import java.util.List;

/** One layer being translated: its parameters, input values and blobs, and helpers to add nodes for it. */
final class CaffeLayer {
    final LayerParameter p;
    final Graph graph;
    private final List<Value> inputs;
    private final List<BlobProto> blobs;
    private final String definitionFile;
    private final String weightsFile;

    CaffeLayer(LayerParameter p, Graph graph, List<Value> inputs, List<BlobProto> blobs, String definitionFile,
            String weightsFile) {
        this.p = p;
        this.graph = graph;
        this.inputs = inputs;
        this.blobs = blobs;
        this.definitionFile = definitionFile;
        this.weightsFile = weightsFile;
    }

    String name() {
        return p.getName();
    }

    int inputCount() {
        return inputs.size();
    }

    Value input(int i) {
        if (i >= inputs.size()) {
            throw error("needs at least " + (i + 1) + " bottom(s), has " + inputs.size());
        }
        return inputs.get(i);
    }

    List<Value> inputs() {
        return inputs;
    }

    /** The rank of input {@code i}, which must be known. */
    int rank(int i) {
        Value v = input(i);
        if (!v.shape().hasRank()) {
            throw error("needs bottom '" + p.getBottom(i) + "' of known rank");
        }
        return v.shape().rank();
    }

    /** Static dimension {@code axis} of input {@code i}. */
    int dim(int i, int axis) {
        Value v = input(i);
        if (!v.shape().hasRank() || axis >= v.shape().rank() || v.shape().isDynamic(axis)) {
            throw error("needs dimension " + axis + " of bottom '" + p.getBottom(i) + "' to be known, shape " + v.shape());
        }
        return v.shape().dim(axis);
    }

    int blobCount() {
        return blobs.size();
    }

    /**
     * Blob {@code i} as an f32 tensor of {@code shape}: its element count must match (legacy 4-D blobs such as
     * [1, 1, O, K] are reshaped); {@code shape} null keeps the blob's own dimensions.
     */
    Tensor blob(int i, int... shape) {
        if (i >= blobs.size()) {
            throw new InvalidModelException("Caffe layer '" + name() + "' (" + p.getType() + ") has " + blobs.size()
                    + " blob(s) in " + weightsFile + ", blob " + i + " is needed");
        }
        BlobProto b = blobs.get(i);
        long[] dims = CaffeImporter.blobDims(b);
        long count = 1;
        for (long d : dims) {
            if (d < 0 || d > Integer.MAX_VALUE) {
                throw blobError(i, "has invalid dimensions " + Arrays.toString(dims));
            }
            count *= d;
            if (count > Integer.MAX_VALUE) {
                throw blobError(i, "dimensions " + Arrays.toString(dims) + " are too large");
            }
        }
        int stored = b.getDataCount() > 0 ? b.getDataCount() : b.getDoubleDataCount();
        if (stored != count) {
            throw blobError(i, "holds " + stored + " values but its shape " + Arrays.toString(dims) + " needs " + count);
        }
        float[] data = new float[stored];
        if (b.getDataCount() > 0) {
            for (int k = 0; k < stored; k++) {
                data[k] = b.getData(k);
            }
        } else {
            for (int k = 0; k < stored; k++) {
                data[k] = (float) b.getDoubleData(k);
            }
        }
        int[] target = shape;
        if (target == null) {
            target = Arrays.stream(dims).mapToInt(d -> (int) d).toArray();
        } else {
            long want = 1;
            for (int d : target) {
                want *= d;
            }
            if (want != stored) {
                throw blobError(i, "has shape " + Arrays.toString(dims) + " (" + stored + " values); the layer needs "
                        + Arrays.toString(target));
            }
        }
        return Tensor.of(data, target);
    }

    /** Number of values in blob {@code i}. */
    int blobSize(int i) {
        if (i >= blobs.size()) {
            return -1;
        }
        BlobProto b = blobs.get(i);
        return b.getDataCount() > 0 ? b.getDataCount() : b.getDoubleDataCount();
    }

    long[] blobDims(int i) {
        return CaffeImporter.blobDims(blobs.get(i));
    }

    private InferoException blobError(int i, String message) {
        return new InvalidModelException("Caffe layer '" + name() + "' (" + p.getType() + "): blob " + i + " in " + weightsFile
                + " " + message);
    }

    Value constant(String suffix, Tensor t) {
        return graph.addConstant(name() + "/" + suffix, t).output(0);
    }

    /** Adds {@code op}; the node is named after the layer, with {@code suffix} for helper nodes. */
    Value add(Op op, String suffix, Value... in) {
        return graph.value(op, suffix == null ? name() : name() + "/" + suffix, in);
    }

    InferoException error(String message) {
        return new InvalidModelException("Caffe layer '" + name() + "' (" + p.getType() + ") in " + definitionFile + ": " + message);
    }
}
