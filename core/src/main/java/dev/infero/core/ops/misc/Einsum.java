package dev.infero.core.ops.misc;

import dev.infero.core.op.Attribute;
import dev.infero.core.op.InferContext;
import dev.infero.core.op.Op;
import dev.infero.core.op.OpSpec;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.core.types.PartialShape;
import dev.infero.core.types.Shapes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Einsum-7: Einstein summation over the inputs by an {@code equation} such as {@code "ij,jk->ik"},
 * {@code "...ii->...i"} (a batch diagonal) or {@code "i,i"} (implicit output: the labels that appear once, in
 * alphabetical order, after the broadcast ellipsis dimensions). A label repeated within one input takes the diagonal;
 * labels missing from the output are summed over; ellipsis dimensions broadcast numpy-style. Evaluated by visiting
 * every combination of label values, accumulating in double.
 */
public final class Einsum extends Op {
    private static final Attribute<Einsum, String> EQUATION = Attribute.string("equation", Einsum::equation);
    public static final OpSpec<Einsum> SPEC = OpSpec.of(Einsum.class, "Einsum", "opset7",
            a -> new Einsum(EQUATION.read(a)), EQUATION);

    /** Labels standing for ellipsis dimensions: right-aligned, so broadcasting matches numpy's. */
    private static final char ELLIPSIS_BASE = '0';

    private final String equation;

    public Einsum(String equation) {
        this.equation = equation.replace(" ", "");
    }

    public String equation() {
        return equation;
    }

    /** The equation with ellipses expanded for these input ranks: one label string per input, then the output's. */
    private record Parsed(List<String> inputs, String output) {
    }

    private Parsed parse(int[] ranks, InferContext ctx) {
        String[] sides = equation.split("->", -1);
        if (sides.length > 2) {
            throw error(ctx, "has more than one '->'");
        }
        String[] terms = sides[0].split(",", -1);
        if (terms.length != ranks.length) {
            throw error(ctx, "names " + terms.length + " inputs but the op has " + ranks.length);
        }
        int ellipsisRank = 0;
        List<String> inputs = new ArrayList<>();
        for (int i = 0; i < terms.length; i++) {
            String t = terms[i];
            int dots = t.indexOf("...");
            int labels = t.replace("...", "").length();
            checkLabels(t.replace("...", ""), ctx);
            if (dots < 0 && labels != ranks[i] || dots >= 0 && labels > ranks[i]) {
                throw error(ctx, "term '" + t + "' does not fit input " + i + " of rank " + ranks[i]);
            }
            int own = ranks[i] - labels;
            ellipsisRank = Math.max(ellipsisRank, dots >= 0 ? own : 0);
            inputs.add(dots < 0 ? t : t.replace("...", ellipsis(own, own)));
        }
        for (int i = 0; i < inputs.size(); i++) {
            String t = terms[i];
            if (t.contains("...")) {
                int own = ranks[i] - t.replace("...", "").length();
                inputs.set(i, t.replace("...", ellipsis(own, ellipsisRank)));
            }
        }
        String output;
        if (sides.length == 2) {
            String o = sides[1];
            checkLabels(o.replace("...", ""), ctx);
            if (o.contains("...") || ellipsisRank == 0) {
                output = o.replace("...", ellipsis(ellipsisRank, ellipsisRank));
            } else {
                throw error(ctx, "output '" + o + "' has no '...' though the inputs do");
            }
            for (char c : o.replace("...", "").toCharArray()) {
                if (inputs.stream().noneMatch(in -> in.indexOf(c) >= 0)) {
                    throw error(ctx, "output label '" + c + "' appears in no input");
                }
            }
        } else {
            Map<Character, Integer> counts = new LinkedHashMap<>();
            for (String in : inputs) {
                for (char c : in.toCharArray()) {
                    counts.merge(c, 1, Integer::sum);
                }
            }
            TreeSet<Character> once = new TreeSet<>();
            counts.forEach((c, n) -> {
                if (n == 1 && Character.isLetter(c)) {
                    once.add(c);
                }
            });
            StringBuilder sb = new StringBuilder(ellipsis(ellipsisRank, ellipsisRank));
            once.forEach(sb::append);
            output = sb.toString();
        }
        return new Parsed(inputs, output);
    }

    /** The last {@code own} of {@code total} ellipsis labels. */
    private static String ellipsis(int own, int total) {
        StringBuilder sb = new StringBuilder();
        for (int i = total - own; i < total; i++) {
            sb.append((char) (ELLIPSIS_BASE + i));
        }
        return sb.toString();
    }

    private void checkLabels(String labels, InferContext ctx) {
        for (char c : labels.toCharArray()) {
            if (!Character.isLetter(c) || c > 127) {
                throw error(ctx, "has label '" + c + "'; labels are letters a-z and A-Z");
            }
        }
    }

    private RuntimeException error(InferContext ctx, String message) {
        String m = "equation '" + equation + "' " + message;
        return ctx == null ? new IllegalArgumentException(m) : ctx.error(m);
    }

    @Override
    public void infer(InferContext ctx) {
        int n = ctx.inputCount();
        int[] ranks = new int[n];
        for (int i = 0; i < n; i++) {
            if (!ctx.inputShape(i).hasRank()) {
                ctx.setOutput(0, ctx.inputType(0), PartialShape.unknownRank());
                return;
            }
            ranks[i] = ctx.inputShape(i).rank();
            if (ctx.inputType(i) != ctx.inputType(0)) {
                throw ctx.error("inputs must share one type, got " + ctx.inputType(0) + " and " + ctx.inputType(i));
            }
        }
        Parsed p = parse(ranks, ctx);
        Map<Character, Integer> sizes = sizes(p, i -> ctx.inputShape(i), ctx);
        int[] out = new int[p.output().length()];
        for (int k = 0; k < out.length; k++) {
            out[k] = sizes.get(p.output().charAt(k));
        }
        ctx.setOutput(0, ctx.inputType(0), PartialShape.of(out));
    }

    /** Each label's size (dynamic where unknown); 1-sized ellipsis dimensions broadcast. */
    private Map<Character, Integer> sizes(Parsed p, java.util.function.IntFunction<PartialShape> shapes,
                                          InferContext ctx) {
        Map<Character, Integer> sizes = new LinkedHashMap<>();
        for (int i = 0; i < p.inputs().size(); i++) {
            String labels = p.inputs().get(i);
            PartialShape s = shapes.apply(i);
            for (int k = 0; k < labels.length(); k++) {
                char c = labels.charAt(k);
                int d = s.dim(k);
                Integer known = sizes.get(c);
                boolean broadcastable = !Character.isLetter(c);
                if (known == null || known == PartialShape.DYNAMIC || broadcastable && known == 1) {
                    sizes.put(c, d);
                } else if (d != PartialShape.DYNAMIC && d != known && !(broadcastable && d == 1)) {
                    throw error(ctx, "gives label '" + (broadcastable ? "..." : String.valueOf(c)) + "' sizes "
                            + known + " and " + d);
                }
            }
        }
        return sizes;
    }

    @Override
    public void evaluate(Tensor[] inputs, Tensor[] outputs) {
        int[] ranks = Arrays.stream(inputs).mapToInt(Tensor::rank).toArray();
        Parsed p = parse(ranks, null);
        Map<Character, Integer> sizes = sizes(p, i -> PartialShape.of(inputs[i].shape()), null);
        List<Character> all = new ArrayList<>();
        for (char c : p.output().toCharArray()) {
            all.add(c);
        }
        sizes.keySet().stream().filter(c -> !all.contains(c)).forEach(all::add);
        int labels = all.size();
        int[] extent = new int[labels];
        for (int k = 0; k < labels; k++) {
            extent[k] = sizes.get(all.get(k));
        }
        // For each input, the stride each label contributes (repeated labels add up: the diagonal; broadcast 0).
        long[][] strides = new long[inputs.length][labels];
        for (int i = 0; i < inputs.length; i++) {
            int[] shape = inputs[i].shape();
            int[] st = Shapes.strides(shape);
            String in = p.inputs().get(i);
            for (int k = 0; k < in.length(); k++) {
                int label = all.indexOf(in.charAt(k));
                if (shape[k] != 1 || extent[label] == 1) {
                    strides[i][label] += st[k];
                }
            }
        }
        Tensor out = outputs[0];
        int outLabels = p.output().length();
        int outSize = out.size();
        double[] acc = new double[outSize];
        int[] index = new int[labels];
        long total = 1;
        for (int e : extent) {
            total *= e;
        }
        long[] offsets = new long[inputs.length];
        for (long step = 0; step < total; step++) {
            double product = 1;
            for (int i = 0; i < inputs.length; i++) {
                product *= inputs[i].getDouble((int) offsets[i]);
            }
            int o = 0;
            for (int k = 0; k < outLabels; k++) {
                o = o * extent[k] + index[k];
            }
            acc[o] += product;
            // advance the odometer, last label fastest
            for (int k = labels - 1; k >= 0; k--) {
                index[k]++;
                for (int i = 0; i < inputs.length; i++) {
                    offsets[i] += strides[i][k];
                }
                if (index[k] < extent[k]) {
                    break;
                }
                for (int i = 0; i < inputs.length; i++) {
                    offsets[i] -= strides[i][k] * extent[k];
                }
                index[k] = 0;
            }
        }
        for (int i = 0; i < outSize; i++) {
            out.setDouble(i, acc[i]);
        }
    }
}
