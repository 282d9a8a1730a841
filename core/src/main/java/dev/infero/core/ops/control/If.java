package dev.infero.core.ops.control;

import dev.infero.core.graph.Node;
import dev.infero.core.op.InferContext;
import dev.infero.core.op.OpSpec;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.PartialShape;
import java.util.List;

/**
 * If-8: input 0, a boolean scalar, chooses {@code then_body} or {@code else_body}; each body's port map says which
 * op inputs feed its parameters and which of its results give each op output. Both bodies must give outputs of the
 * same element types; shapes that differ between them are dynamic until the condition is known.
 */
public final class If extends SubgraphOp {
    /** Built from its bodies by {@link ControlFlowOps#create}; it has no attributes. */
    public static final OpSpec<If> SPEC = OpSpec.of(If.class, "If", "opset8", ControlFlowOps::needsBodies);

    private final Body thenBody;
    private final Body elseBody;
    private final int outputCount;

    public If(Body thenBody, Body elseBody) {
        this.thenBody = thenBody;
        this.elseBody = elseBody;
        int max = -1;
        for (Body.Output o : thenBody.outputs()) {
            max = Math.max(max, o.external());
        }
        this.outputCount = max + 1;
        if (elseBody.outputs().size() != thenBody.outputs().size()) {
            throw new dev.infero.core.InferoException("If: then_body gives " + thenBody.outputs().size()
                    + " outputs, else_body " + elseBody.outputs().size());
        }
    }

    @Override
    public List<Body> bodies() {
        return List.of(thenBody, elseBody);
    }

    @Override
    public void infer(InferContext ctx) {
        if (ctx.inputShape(0).hasRank() && ctx.inputShape(0).isStatic() && sizeOf(ctx.inputShape(0)) != 1) {
            throw ctx.error("the condition must hold one value, got shape " + ctx.inputShape(0));
        }
        Tensor cond = ctx.inputValue(0);
        for (int i = 0; i < outputCount; i++) {
            Node thenResult = result(thenBody, i);
            Node elseResult = result(elseBody, i);
            var thenType = thenResult.input(0).type();
            var elseType = elseResult.input(0).type();
            if (thenType != elseType) {
                throw ctx.error("output " + i + " is " + thenType + " in then_body but " + elseType + " in else_body");
            }
            PartialShape a = thenResult.input(0).shape();
            PartialShape b = elseResult.input(0).shape();
            PartialShape s = cond != null ? (cond.getDouble(0) != 0 ? a : b) : a.equals(b) ? a
                    : a.hasRank() && b.hasRank() && a.rank() == b.rank() ? PartialShape.dynamic(a.rank())
                    : PartialShape.unknownRank();
            if (!s.isStatic() && allKnown(ctx)) {
                Tensor[] out = execute(inputs(ctx));
                for (int k = 0; k < outputCount; k++) {
                    ctx.setOutput(k, out[k].type(), PartialShape.of(out[k].shape()));
                }
                return;
            }
            ctx.setOutput(i, thenType, s);
        }
    }

    private static long sizeOf(PartialShape s) {
        long n = 1;
        for (int i = 0; i < s.rank(); i++) {
            n *= s.dim(i);
        }
        return n;
    }

    private static boolean allKnown(InferContext ctx) {
        for (int i = 0; i < ctx.inputCount(); i++) {
            if (ctx.hasInput(i) && ctx.inputValue(i) == null) {
                return false;
            }
        }
        return true;
    }

    private static Tensor[] inputs(InferContext ctx) {
        Tensor[] in = new Tensor[ctx.inputCount()];
        for (int i = 0; i < in.length; i++) {
            in[i] = ctx.inputValue(i);
        }
        return in;
    }

    private static Node result(Body body, int external) {
        for (Body.Output o : body.outputs()) {
            if (o.external() == external) {
                return body.graph().results().get(o.result());
            }
        }
        throw new dev.infero.core.InferoException("If: " + body.tag() + " gives no result for output " + external);
    }

    @Override
    public void evaluate(Tensor[] inputs, Tensor[] outputs) {
        Tensor[] out = execute(inputs);
        for (int i = 0; i < outputs.length; i++) {
            out[i].copyTo(outputs[i]);
        }
    }

    private Tensor[] execute(Tensor[] inputs) {
        Body body = inputs[0].getDouble(0) != 0 ? thenBody : elseBody;
        Tensor[] params = new Tensor[body.graph().parameters().size()];
        for (Body.Input in : body.inputs()) {
            params[in.parameter()] = inputs[in.external()];
        }
        Tensor[] r = body.run(params);
        Tensor[] out = new Tensor[outputCount];
        for (Body.Output o : body.outputs()) {
            out[o.external()] = r[o.result()];
        }
        return out;
    }
}
