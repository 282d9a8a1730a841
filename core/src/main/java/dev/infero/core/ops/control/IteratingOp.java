package dev.infero.core.ops.control;

import dev.infero.core.InferoException;
import dev.infero.core.graph.Node;
import dev.infero.core.op.InferContext;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.core.types.PartialShape;
import java.util.ArrayList;
import java.util.List;

/**
 * What Loop and TensorIterator share: one body run repeatedly, parameters fed from op inputs (whole or one slice per
 * iteration) and from the previous iteration's results (back edges), op outputs taken from the last iteration or
 * concatenated over all of them. Output shapes that depend on the number of iterations are dynamic until the inputs
 * are known; then the loop is run to learn them (so a dynamic plan evaluates such a loop twice: once for the
 * shapes, once for the values).
 */
public abstract class IteratingOp extends SubgraphOp {
    protected final Body body;
    private final int outputCount;

    protected IteratingOp(Body body) {
        this.body = body;
        int max = -1;
        for (Body.Output o : body.outputs()) {
            max = Math.max(max, o.external());
        }
        this.outputCount = max + 1;
    }

    public Body body() {
        return body;
    }

    @Override
    public List<Body> bodies() {
        return List.of(body);
    }

    /** The iteration limit for these inputs (-1: until the condition stops it), or {@code null} when not known. */
    protected abstract Long iterations(InferContext ctx);

    /** The most iterations that may run on these inputs (-1: no limit). */
    protected long limit(Tensor[] inputs) {
        Long n = iterations(new Known(inputs));
        return n == null ? -1 : n;
    }

    /** Whether the first iteration runs (Loop's execution_condition input). */
    protected boolean initialCondition(Tensor[] inputs) {
        return true;
    }

    @Override
    public void infer(InferContext ctx) {
        for (Body.Input in : body.inputs()) {
            if (in.external() >= ctx.inputCount() || !ctx.hasInput(in.external())) {
                throw ctx.error("body parameter " + in.parameter() + " reads op input " + in.external()
                        + ", which is missing");
            }
        }
        Long iterations = iterations(ctx);
        List<Node> results = body.graph().results();
        ElementType[] types = new ElementType[outputCount];
        PartialShape[] shapes = new PartialShape[outputCount];
        boolean allStatic = true;
        for (Body.Output o : body.outputs()) {
            PartialShape s = results.get(o.result()).input(0).shape();
            types[o.external()] = results.get(o.result()).input(0).type();
            if (o.axis() != null) {
                s = concatShape(s, o, iterations);
            } else if (body.backEdges().stream().anyMatch(e -> e.result() == o.result())) {
                // a carried value may change shape between iterations unless the body keeps it
                s = carried(o.result(), s);
            }
            shapes[o.external()] = s;
            allStatic &= s.isStatic();
        }
        boolean known = true;
        for (int i = 0; i < ctx.inputCount(); i++) {
            known &= !ctx.hasInput(i) || ctx.inputValue(i) != null;
        }
        if (!allStatic && known) {
            Tensor[] in = new Tensor[ctx.inputCount()];
            for (int i = 0; i < in.length; i++) {
                in[i] = ctx.inputValue(i);
            }
            Tensor[] out = execute(in);
            for (int i = 0; i < outputCount; i++) {
                ctx.setOutput(i, out[i].type(), PartialShape.of(out[i].shape()));
            }
            return;
        }
        for (int i = 0; i < outputCount; i++) {
            if (types[i] == null) {
                throw ctx.error("op output " + i + " is not mapped to a body result");
            }
            ctx.setOutput(i, types[i], shapes[i]);
        }
    }

    /** The result's shape, or dynamic where it differs from the parameter it is carried back into. */
    private PartialShape carried(int result, PartialShape s) {
        for (Body.BackEdge e : body.backEdges()) {
            if (e.result() == result) {
                PartialShape p = body.graph().parameters().get(e.parameter()).output(0).shape();
                if (!p.equals(s)) {
                    return s.hasRank() && p.hasRank() && s.rank() == p.rank() ? merge(s, p)
                            : PartialShape.unknownRank();
                }
            }
        }
        return s;
    }

    private static PartialShape merge(PartialShape a, PartialShape b) {
        int[] dims = new int[a.rank()];
        for (int i = 0; i < dims.length; i++) {
            dims[i] = !a.isDynamic(i) && !b.isDynamic(i) && a.dim(i) == b.dim(i) ? a.dim(i) : PartialShape.DYNAMIC;
        }
        return PartialShape.of(dims);
    }

    private static PartialShape concatShape(PartialShape part, Body.Output o, Long iterations) {
        if (!part.hasRank()) {
            return part;
        }
        int axis = (int) (o.axis() < 0 ? o.axis() + part.rank() : o.axis());
        int[] dims = part.dimsOrDynamic();
        dims[axis] = iterations == null || iterations < 0 || part.isDynamic(axis) ? PartialShape.DYNAMIC
                : (int) (iterations * part.dim(axis));
        return PartialShape.of(dims);
    }

    @Override
    public void evaluate(Tensor[] inputs, Tensor[] outputs) {
        Tensor[] out = execute(inputs);
        for (int i = 0; i < outputs.length; i++) {
            out[i].copyTo(outputs[i]);
        }
    }

    /** Runs the loop on concrete inputs; one tensor per op output. */
    protected Tensor[] execute(Tensor[] inputs) {
        long limit = limit(inputs);
        int params = body.graph().parameters().size();
        Tensor[] current = new Tensor[params];
        for (Body.Input in : body.inputs()) {
            if (in.axis() == null) {
                current[in.parameter()] = inputs[in.external()];
            }
        }
        Tensor[] initial = current.clone();
        List<List<Tensor>> parts = new ArrayList<>();
        for (int i = 0; i < outputCount; i++) {
            parts.add(new ArrayList<>());
        }
        Tensor[] lastResults = null;
        boolean go = initialCondition(inputs);
        long i = 0;
        while (go && (limit < 0 || i < limit)) {
            for (Body.Input in : body.inputs()) {
                if (in.axis() != null) {
                    current[in.parameter()] = slice(inputs[in.external()], in, i);
                }
            }
            if (body.currentIteration() >= 0) {
                ElementType t = body.graph().parameters().get(body.currentIteration()).output(0).type();
                Tensor n = Tensor.allocate(t);
                n.setLong(0, i);
                current[body.currentIteration()] = n;
            }
            for (int p = 0; p < params; p++) {
                if (current[p] == null) {
                    throw new InferoException(type() + ": body parameter " + p + " has no value (not in the port map)");
                }
            }
            Tensor[] r = body.run(current);
            for (Body.Output o : body.outputs()) {
                if (o.axis() != null) {
                    parts.get(o.external()).add(r[o.result()]);
                }
            }
            for (Body.BackEdge e : body.backEdges()) {
                current[e.parameter()] = r[e.result()];
            }
            lastResults = r;
            go = body.condition() < 0 || r[body.condition()].getDouble(0) != 0;
            i++;
        }
        Tensor[] out = new Tensor[outputCount];
        for (Body.Output o : body.outputs()) {
            if (o.axis() != null) {
                out[o.external()] = concat(parts.get(o.external()), o);
            } else if (lastResults != null) {
                out[o.external()] = lastResults[o.result()];
            } else {
                out[o.external()] = initialOf(o, initial);
            }
        }
        return out;
    }

    /** With no iteration, a carried output is its parameter's initial value. */
    private Tensor initialOf(Body.Output o, Tensor[] initial) {
        for (Body.BackEdge e : body.backEdges()) {
            if (e.result() == o.result() && initial[e.parameter()] != null) {
                return initial[e.parameter()];
            }
        }
        throw new InferoException(type() + " ran no iteration, so output " + o.external()
                + " (the last value of a body result that is not carried) has no value");
    }

    /** Normalized [from, to) boundaries: negative positions count from the end, -1 being the end itself. */
    private static long position(long p, long dim) {
        return p < 0 ? p + dim + 1 : p;
    }

    /** Number of parts of sliced input {@code in} along its axis. */
    protected static long partsOf(Body.Input in, PartialShape shape) {
        int axis = (int) (in.axis() < 0 ? in.axis() + shape.rank() : in.axis());
        if (shape.isDynamic(axis)) {
            return -2;
        }
        long dim = shape.dim(axis);
        return Math.abs(position(in.end(), dim) - position(in.start(), dim)) / in.partSize();
    }

    private static Tensor slice(Tensor t, Body.Input in, long i) {
        int axis = (int) (in.axis() < 0 ? in.axis() + t.rank() : in.axis());
        long dim = t.dim(axis);
        long start = position(in.start(), dim);
        long from = in.stride() > 0 ? start + i * in.partSize() * in.stride()
                : start + (i + 1) * in.partSize() * in.stride();
        int[] shape = t.shape().clone();
        shape[axis] = (int) in.partSize();
        Tensor out = Tensor.allocate(t.type(), shape);
        copyBlocks(t, axis, (int) from, out, 0, (int) in.partSize());
        return out;
    }

    private Tensor concat(List<Tensor> parts, Body.Output o) {
        if (parts.isEmpty()) {
            PartialShape s = body.graph().results().get(o.result()).input(0).shape();
            if (!s.isStatic()) {
                throw new InferoException(type() + " ran no iteration and the shape of concatenated output "
                        + o.external() + " (" + s + ") is not known");
            }
            int[] dims = s.toArray();
            dims[(int) (o.axis() < 0 ? o.axis() + dims.length : o.axis())] = 0;
            return Tensor.allocate(body.graph().results().get(o.result()).input(0).type(), dims);
        }
        Tensor first = parts.get(0);
        int axis = (int) (o.axis() < 0 ? o.axis() + first.rank() : o.axis());
        int[] shape = first.shape().clone();
        int total = 0;
        for (Tensor p : parts) {
            if (p.rank() != first.rank()) {
                throw new InferoException(type() + " output " + o.external() + ": iterations give parts of rank "
                        + first.rank() + " and " + p.rank());
            }
            total += p.dim(axis);
        }
        shape[axis] = total;
        Tensor out = Tensor.allocate(first.type(), shape);
        int at = 0;
        for (int k = 0; k < parts.size(); k++) {
            Tensor p = parts.get(o.stride() < 0 ? parts.size() - 1 - k : k);
            copyBlocks(p, axis, 0, out, at, p.dim(axis));
            at += p.dim(axis);
        }
        return out;
    }

    /** Copies {@code count} positions along {@code axis} from {@code src} at {@code from} to {@code dst} at {@code to}. */
    private static void copyBlocks(Tensor src, int axis, int from, Tensor dst, int to, int count) {
        if (src.type().bits() < 8) {
            throw new InferoException("loops over " + src.type() + " tensors (packed sub-byte elements) are not supported");
        }
        int outer = 1;
        for (int d = 0; d < axis; d++) {
            outer *= src.dim(d);
        }
        int inner = 1;
        for (int d = axis + 1; d < src.rank(); d++) {
            inner *= src.dim(d);
        }
        int srcAxis = src.dim(axis);
        int dstAxis = dst.dim(axis);
        for (int o = 0; o < outer; o++) {
            System.arraycopy(src.array(), (o * srcAxis + from) * inner, dst.array(), (o * dstAxis + to) * inner,
                    count * inner);
        }
    }

    /** An inference view of concrete inputs, for {@link #iterations} at run time. */
    private record Known(Tensor[] inputs) implements InferContext {
        @Override
        public int inputCount() {
            return inputs.length;
        }

        @Override
        public boolean hasInput(int i) {
            return i < inputs.length && inputs[i] != null;
        }

        @Override
        public ElementType inputType(int i) {
            return inputs[i].type();
        }

        @Override
        public PartialShape inputShape(int i) {
            return PartialShape.of(inputs[i].shape());
        }

        @Override
        public Tensor inputValue(int i) {
            return hasInput(i) ? inputs[i] : null;
        }

        @Override
        public void setOutput(int i, ElementType type, PartialShape shape) {
            throw new UnsupportedOperationException();
        }

        @Override
        public String nodeName() {
            return "loop";
        }

        @Override
        public InferoException error(String message) {
            return new InferoException(message);
        }
    }
}
