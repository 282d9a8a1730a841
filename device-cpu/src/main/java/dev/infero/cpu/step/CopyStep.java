package dev.infero.cpu.step;

import dev.infero.core.graph.Node;
import dev.infero.core.graph.Value;
import dev.infero.core.ops.movement.Concat;
import dev.infero.core.ops.movement.ShapeOnlyOp;
import dev.infero.core.ops.movement.Slice;
import dev.infero.core.ops.slicing.StridedSlice;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.core.types.Shapes;
import dev.infero.cpu.parallel.WorkerPool;

/**
 * Steps that only move elements, over static shapes, as planned copies ({@link StridedCopy}): Transpose by a
 * constant permutation, Slice with constant start, stop, step and axes (the strided slices of YOLO's Focus layer),
 * StridedSlice with constant begin, end and strides (TensorFlow's and TFLite's channel splits),
 * Concat (each input a block of every output row) and the shape-only ops Reshape, Squeeze and Unsqueeze. The copy is
 * split across the worker pool in element ranges ({@link PartedStep}) when it is large enough to pay for the hand-off
 * ({@link WorkerPool#threadsFor}); the split is by the output, so threads never write the same elements.
 */
public final class CopyStep extends PartedStep<CopyStep.Scratch> {
    /** The copies, each reading step input {@link #inputOf}[i] and writing part of output 0. */
    private final StridedCopy[] pieces;
    private final int[] inputOf;
    private final long bytes;
    private final long elements;
    private final int rank;
    private final ExecType execType;
    private final ElementType type;
    private final String kernel;
    /** Whether some inputs of this Concat are already in place in its output (their pieces dropped). */
    private final boolean hostsViews;
    /** Whether it moves INT8 codes (floats holding integer codes) rather than values: the exec type says so. */
    private final boolean codes;

    CopyStep(StridedCopy[] pieces, int[] inputOf, ElementType type, String kernel) {
        this(pieces, inputOf, type, kernel, false, false);
    }

    private CopyStep(StridedCopy[] pieces, int[] inputOf, ElementType type, String kernel, boolean hostsViews,
                     boolean codes) {
        this.pieces = pieces;
        this.inputOf = inputOf;
        this.type = type;
        this.kernel = kernel;
        this.hostsViews = hostsViews;
        this.codes = codes;
        long elements = 0;
        int r = 1;
        for (StridedCopy p : pieces) {
            elements += p.size();
            r = Math.max(r, p.rank());
        }
        this.bytes = 2 * elements * type.bytes();
        this.elements = elements;
        this.rank = r;
        this.execType = ExecType.of(kernel, codes ? ExecType.CODES : type.precision());
    }

    /**
     * The same copies, moving the codes of the FakeQuantize after them (written by their producers; see
     * {@code fusion.Fusion}): only the exec type changes ({@code concat_inplace_I8_codes}).
     */
    public CopyStep onCodes() {
        return new CopyStep(pieces, inputOf, type, kernel, hostsViews, true);
    }

    /** The copy step for {@code node}, or {@code null} when it is none of the ops above over static shapes. */
    public static CopyStep of(Node node) {
        if (node.outputs().size() != 1 || !node.output(0).shape().isStatic()) {
            return null;
        }
        Value out = node.output(0);
        ElementType type = out.type();
        for (Value in : node.inputs()) {
            if (in == null || !in.shape().isStatic()) {
                return null;
            }
        }
        int[] os = out.shape().toArray();
        CopyStep step = switch (node.op()) {
            case ShapeOnlyOp s when node.input(0).type() == type ->
                    new CopyStep(new StridedCopy[] {StridedCopy.flat(Shapes.size(os))}, new int[1], type,
                            "reshape_copy");
            case Slice s -> slice(node, os, type);
            case StridedSlice s -> stridedSlice(node, s, type);
            case Concat c -> concat(node, c, os, type);
            default -> null;
        };
        if (step == null) {
            return null;
        }
        for (StridedCopy p : step.pieces) {
            if (!p.contiguousRows() && type != ElementType.F32) {
                return null;
            }
        }
        return step;
    }

    private static CopyStep slice(Node node, int[] os, ElementType type) {
        Tensor[] constants = new Tensor[5];
        for (int i = 1; i < node.inputs().size(); i++) {
            if (node.input(i) != null && (constants[i] = node.input(i).knownValue()) == null) {
                return null;
            }
        }
        if (constants[1] == null || constants[2] == null || constants[3] == null) {
            return null;
        }
        int[] in = node.input(0).shape().toArray();
        Slice.View v = Slice.view(in, os, constants[1].toLongArray(), constants[2].toLongArray(),
                constants[3].toLongArray(), constants[4] == null ? null : constants[4].toLongArray());
        return new CopyStep(new StridedCopy[] {StridedCopy.of(os, v.strides(), v.offset(), Shapes.strides(os), 0)},
                new int[1], type, "strided_copy");
    }

    /**
     * StridedSlice with constant begin, end and strides: the selection {@link StridedSlice#plan} gives per input
     * axis, copied in input-axis order (shrunk axes select one index and new axes have size 1, so neither changes the
     * element order of the output).
     */
    private static CopyStep stridedSlice(Node node, StridedSlice op, ElementType type) {
        Tensor[] constants = new Tensor[4];
        for (int i = 1; i < node.inputs().size(); i++) {
            if (node.input(i) != null && (constants[i] = node.input(i).knownValue()) == null) {
                return null;
            }
        }
        if (constants[1] == null || constants[2] == null) {
            return null;
        }
        int[] in = node.input(0).shape().toArray();
        StridedSlice.Plan p = op.plan(in, constants[1], constants[2], constants[3]);
        int[] inStrides = Shapes.strides(in);
        int[] strides = new int[in.length];
        long offset = 0;
        for (int a = 0; a < in.length; a++) {
            strides[a] = inStrides[a] * p.step()[a];
            offset += (long) p.start()[a] * inStrides[a];
        }
        int[] dims = p.count();
        return new CopyStep(new StridedCopy[] {StridedCopy.of(dims, strides, (int) offset, Shapes.strides(dims), 0)},
                new int[1], type, "strided_copy");
    }

    private static CopyStep concat(Node node, Concat op, int[] os, ElementType type) {
        int rank = os.length;
        if (rank == 0) {
            return null;
        }
        int axis = Shapes.normalizeAxis(op.axis(), rank);
        int outer = Shapes.product(os, 0, axis);
        int outInner = Shapes.product(os, axis, rank);
        int n = node.inputs().size();
        StridedCopy[] pieces = new StridedCopy[n];
        int[] inputOf = new int[n];
        int offset = 0;
        for (int i = 0; i < n; i++) {
            if (node.input(i).type() != type) {
                return null;
            }
            int inner = Shapes.product(node.input(i).shape().toArray(), axis, rank);
            pieces[i] = StridedCopy.of(new int[] {outer, inner}, new int[] {inner, 1}, 0, new int[] {outInner, 1},
                    offset);
            inputOf[i] = i;
            offset += inner;
        }
        return new CopyStep(pieces, inputOf, type, "concat_copy");
    }

    /** Whether this is a Concat's copy, one piece per input in input order (see {@link #withInPlace}). */
    public boolean isConcat() {
        return kernel.equals("concat_copy") && !hostsViews;
    }

    /**
     * This Concat without the pieces of the inputs marked in {@code inPlace}, which their producers write straight
     * into the output: {@code concat_inplace} (no work) when none is left to copy.
     */
    public CopyStep withInPlace(boolean[] inPlace) {
        java.util.List<StridedCopy> kept = new java.util.ArrayList<>();
        java.util.List<Integer> keptInputs = new java.util.ArrayList<>();
        for (int p = 0; p < pieces.length; p++) {
            if (!inPlace[inputOf[p]]) {
                kept.add(pieces[p]);
                keptInputs.add(inputOf[p]);
            }
        }
        return new CopyStep(kept.toArray(StridedCopy[]::new), keptInputs.stream().mapToInt(Integer::intValue).toArray(),
                type, kept.isEmpty() ? "concat_inplace" : kernel, true, codes);
    }

    /** The same copies, {@code offset} elements further into the output (not for a Concat with inputs in place). */
    @Override
    public CopyStep writingAt(int offset) {
        if (hostsViews) {
            return null;
        }
        StridedCopy[] shifted = new StridedCopy[pieces.length];
        for (int p = 0; p < pieces.length; p++) {
            shifted[p] = pieces[p].shifted(offset);
        }
        return new CopyStep(shifted, inputOf, type, kernel, false, codes);
    }

    @Override
    public ExecType execType() {
        return execType;
    }

    @Override
    public Scratch newScratch(int threads) {
        return new Scratch(threads);
    }

    @Override
    protected long estimatedNanos() {
        return WorkerPool.estimatedNanos(0, bytes);
    }

    @Override
    protected long maxParts() {
        return Math.max(1, elements); // an in-place Concat with no piece left is one empty part
    }

    /** One request's state: an index per thread and the current call's arrays. */
    public final class Scratch extends PartedStep.Parts {
        private final int[][] index;
        private final Object[] in;
        private Object out;

        Scratch(int threads) {
            index = new int[threads][rank];
            int inputs = 0;
            for (int i : inputOf) {
                inputs = Math.max(inputs, i + 1);
            }
            in = new Object[inputs];
        }

        @Override
        protected void bind(Tensor[] inputs, Tensor[] outputs) {
            out = outputs[0].array();
            for (int i = 0; i < in.length; i++) {
                in[i] = inputs[i].array();
            }
        }

        @Override
        protected void release() {
            java.util.Arrays.fill(in, null);
            out = null;
        }

        /** Part {@code t} of {@code parts}: the same share of every piece. */
        @Override
        protected void part(int t, int parts, int slot) {
            for (int p = 0; p < pieces.length; p++) {
                long size = pieces[p].size();
                pieces[p].copy(in[inputOf[p]], out, (int) (size * t / parts), (int) (size * (t + 1) / parts),
                        index[slot]);
            }
        }
    }
}
