package dev.infero.spark;

import dev.infero.api.InferRequest;
import dev.infero.api.io.ImageInput;
import dev.infero.core.InferoException;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.core.types.PartialShape;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.util.TaskCompletionListener;

/**
 * The function {@link InferoModel#transform} runs on every partition: takes the executor's compiled model and an infer
 * request of its own, and returns a lazy iterator that scores one row each time Spark pulls one, so a partition is
 * streamed through, never held in memory. The request goes back to the executor's pool when the task ends.
 */
final class PartitionScorer implements MapPartitionsFunction<Row, Row> {
    private static final long serialVersionUID = 1L;

    /** How the input column's values become the model's input tensor. */
    enum InputKind { IMAGE, FLOATS, DOUBLES }

    private final Broadcast<ModelBundle> model;
    private final String device;
    private final Map<String, String> config;
    private final InputKind kind;
    private final int inputIndex;
    private final int pathIndex;
    private final String inputName;
    private final ElementType inputType;
    private final int[] inputDims;
    private final float[] mean;
    private final float[] scale;
    private final boolean reverseChannels;
    private final List<String> outputNames;
    private final String handleInvalid;

    PartitionScorer(Broadcast<ModelBundle> model, String device, Map<String, String> config, InputKind kind,
                    int inputIndex, int pathIndex, String inputName, ElementType inputType, int[] inputDims,
                    ImageInput.Preprocessing prep, List<String> outputNames, String handleInvalid) {
        this.model = model;
        this.device = device;
        this.config = Map.copyOf(config);
        this.kind = kind;
        this.inputIndex = inputIndex;
        this.pathIndex = pathIndex;
        this.inputName = inputName;
        this.inputType = inputType;
        this.inputDims = inputDims;
        this.mean = prep.mean();
        this.scale = prep.scale();
        this.reverseChannels = prep.reverseChannels();
        this.outputNames = List.copyOf(outputNames);
        this.handleInvalid = handleInvalid;
    }

    @Override
    public Iterator<Row> call(Iterator<Row> rows) {
        ExecutorModels.Entry entry = ExecutorModels.get(model.value(), device, config);
        InferRequest request = entry.acquire();
        boolean[] released = {false};
        Runnable release = () -> {
            synchronized (released) {
                if (!released[0]) {
                    released[0] = true;
                    entry.release(request);
                }
            }
        };
        TaskContext task = TaskContext.get();
        if (task != null) {
            task.addTaskCompletionListener((TaskCompletionListener) context -> release.run());
        }
        int partition = task == null ? -1 : task.partitionId();
        return new Iterator<>() {
            private Row next;
            private long rowNumber;

            @Override
            public boolean hasNext() {
                while (next == null) {
                    if (!rows.hasNext()) {
                        release.run();
                        return false;
                    }
                    next = score(request, rows.next(), partition, rowNumber++);
                }
                return true;
            }

            @Override
            public Row next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                Row r = next;
                next = null;
                return r;
            }
        };
    }

    /** The row with its prediction appended; {@code null} when it is to be skipped. */
    private Row score(InferRequest request, Row row, int partition, long rowNumber) {
        String name = rowName(row, partition, rowNumber);
        Tensor tensor;
        try {
            tensor = inputTensor(row, name);
        } catch (InferoException e) {
            return switch (handleInvalid) {
                case "skip" -> null;
                case "keep" -> append(row, null, e.getMessage());
                default -> throw new InferoException(e.getMessage()
                        + " (set handleInvalid to 'keep' or 'skip' to score the other rows)", e);
            };
        }
        request.setInput(0, tensor);
        try {
            request.infer();
        } catch (RuntimeException e) {
            throw new InferoException("inference failed on " + name + ": " + e.getMessage(), e);
        }
        Object[] values = new Object[outputNames.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = request.getOutput(outputNames.get(i)).toFloatArray();
        }
        return append(row, RowFactory.create(values), null);
    }

    private Row append(Row row, Row prediction, String error) {
        int n = row.length();
        boolean keep = handleInvalid.equals("keep");
        Object[] values = new Object[n + (keep ? 2 : 1)];
        for (int i = 0; i < n; i++) {
            values[i] = row.get(i);
        }
        values[n] = prediction;
        if (keep) {
            values[n + 1] = error;
        }
        return RowFactory.create(values);
    }

    private String rowName(Row row, int partition, long rowNumber) {
        if (pathIndex >= 0 && !row.isNullAt(pathIndex)) {
            return String.valueOf(row.get(pathIndex));
        }
        return "row " + rowNumber + " of partition " + partition;
    }

    private Tensor inputTensor(Row row, String name) {
        if (row.isNullAt(inputIndex)) {
            throw new InferoException("input of " + name + " is null");
        }
        if (kind == InputKind.IMAGE) {
            PartialShape shape = inputDims == null ? PartialShape.unknownRank() : PartialShape.of(inputDims);
            return ImageInput.load((byte[]) row.get(inputIndex), name, inputType, shape,
                    new ImageInput.Preprocessing(mean, scale, reverseChannels));
        }
        List<?> list = row.getList(inputIndex);
        float[] values = new float[list.size()];
        for (int i = 0; i < values.length; i++) {
            Object v = list.get(i);
            if (v == null) {
                throw new InferoException("input of " + name + " has a null at index " + i);
            }
            values[i] = ((Number) v).floatValue();
        }
        int[] dims = concreteDims(values.length, name);
        Tensor t = Tensor.of(values, dims);
        return inputType == ElementType.F32 ? t : t.convertTo(inputType);
    }

    /** The input's shape for {@code count} values: its static shape, a dynamic batch taken as 1. */
    private int[] concreteDims(int count, String name) {
        if (inputDims == null) {
            return new int[] {count};
        }
        int[] dims = inputDims.clone();
        if (dims.length > 0 && dims[0] == PartialShape.DYNAMIC) {
            dims[0] = 1;
        }
        long expected = 1;
        for (int d : dims) {
            if (d == PartialShape.DYNAMIC) {
                throw new InferoException("input '" + inputName + "' has dynamic shape "
                        + Arrays.toString(inputDims) + "; only a dynamic batch dimension can be fed from an array "
                        + "column (convert the model with a static shape)");
            }
            expected *= d;
        }
        if (expected != count) {
            throw new InferoException("input of " + name + " has " + count + " values; input '" + inputName
                    + "' of shape " + Arrays.toString(dims) + " needs " + expected);
        }
        return dims;
    }
}
