package dev.infero.core.ops;

import static dev.infero.core.ops.OpHarness.assertRoundTrips;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infero.core.InferoException;
import dev.infero.core.op.Attribute;
import dev.infero.core.op.AttributeSink;
import dev.infero.core.op.AttributeSource;
import dev.infero.core.op.Op;
import dev.infero.core.op.OpFactories;
import dev.infero.core.op.OpRegistry;
import dev.infero.core.op.OpSpec;
import dev.infero.core.ops.control.ControlFlowOps;
import dev.infero.core.ops.detection.DetectionOutput;
import dev.infero.core.ops.detection.PriorBox;
import dev.infero.core.ops.detection.PriorBoxClustered;
import dev.infero.core.ops.detection.ROIAlign;
import dev.infero.core.ops.eltwise.Convert;
import dev.infero.core.ops.image.Interpolate;
import dev.infero.core.ops.misc.FourierTransform;
import dev.infero.core.ops.ml.TfIdfVectorizer;
import dev.infero.core.ops.ml.TreeEnsemble;
import dev.infero.core.ops.movement.Pad;
import dev.infero.core.ops.normalization.GroupNormalization;
import dev.infero.core.ops.normalization.LRN;
import dev.infero.core.ops.normalization.LogSoftmax;
import dev.infero.core.ops.normalization.MVN;
import dev.infero.core.ops.normalization.NormalizeL2;
import dev.infero.core.ops.normalization.Softmax;
import dev.infero.core.ops.nn.AutoPad;
import dev.infero.core.ops.nn.AvgPool;
import dev.infero.core.ops.nn.Convolution;
import dev.infero.core.ops.nn.ConvolutionBackpropData;
import dev.infero.core.ops.nn.DeformableConvolution;
import dev.infero.core.ops.nn.GroupConvolution;
import dev.infero.core.ops.nn.GroupConvolutionBackpropData;
import dev.infero.core.ops.nn.MaxPool;
import dev.infero.core.ops.nn.WindowGeometry;
import dev.infero.core.ops.recurrent.GRUSequence;
import dev.infero.core.ops.recurrent.LSTMSequence;
import dev.infero.core.ops.recurrent.RNNSequence;
import dev.infero.core.ops.recurrent.RecurrentSequence.Direction;
import dev.infero.core.ops.reduce.ReduceMean;
import dev.infero.core.types.E8M0;
import dev.infero.core.types.ElementType;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Walks every op version the standard registry holds (every op set of {@code core}): each is registered from its
 * declaration ({@code OpSpec}) under the declared type, the op its factory builds reports that type, declares rather
 * than describes by hand, and reads back through the registry what it writes; ops with required attributes are
 * checked on a sample with every attribute away from its default. An op registered without a sample here (and with
 * required attributes) fails, naming it.
 */
class EveryOpDeclaredTest {
    private static final WindowGeometry WINDOW = new WindowGeometry(new long[] {2, 1}, new long[] {1, 2},
            new long[] {1, 0}, new long[] {0, 1}, AutoPad.SAME_LOWER, true);

    /** Samples of the ops moved to declarations in this change, with non-default attributes. */
    private static final List<Op> SAMPLES = List.of(
            new Convolution(WINDOW), new GroupConvolution(WINDOW),
            new ConvolutionBackpropData(WINDOW, new long[] {1, 0}),
            new GroupConvolutionBackpropData(WINDOW, new long[] {0, 1}),
            new DeformableConvolution(WINDOW, 2, 3, true),
            new AvgPool(new long[] {3, 3}, WINDOW, true), new MaxPool(new long[] {2, 2}, WINDOW, true),
            new MaxPool(new long[] {2, 2}, new WindowGeometry(new long[] {2, 2}, new long[] {1, 1}, new long[] {0, 0},
                    new long[] {1, 1}, AutoPad.EXPLICIT, false), false),
            Interpolate.opset4(new Interpolate.Attributes("cubic", true, "tf_crop_and_resize", "floor", true, -0.5,
                    true, 2.5, "not_larger")),
            new Interpolate(Interpolate.Attributes.of("nearest", false)),
            new Convert(ElementType.F8E8M0, false, E8M0.Rounding.NEAREST), new Convert(ElementType.I32),
            new Pad(Pad.Mode.REFLECT), new Pad(Pad.Mode.WRAP), new ReduceMean(true),
            new RNNSequence(4, Direction.REVERSE, List.of("relu"), new float[] {0.5f}, new float[0], 3),
            new GRUSequence(2, Direction.BIDIRECTIONAL, List.of("sigmoid", "tanh"), new float[0], new float[0], 0,
                    true),
            new LSTMSequence(3, Direction.FORWARD, List.of("sigmoid", "tanh", "tanh"), new float[0], new float[0], 0),
            PriorBox.v8(new PriorBox.Attributes(new float[] {21}, new float[] {45}, new float[] {2}, new float[0],
                    new float[0], new float[0], true, true, 8, 0.5f, new float[] {0.1f, 0.2f}, false), false),
            PriorBox.v1(new PriorBox.Attributes(new float[] {16}, new float[0], new float[0], new float[0],
                    new float[0], new float[0], false, false, 0, 0.5f, new float[0], true)),
            new PriorBoxClustered(new PriorBoxClustered.Attributes(16, 0, 8, new float[] {4, 8},
                    new float[] {2, 4}, false, 0.5f, new float[] {0.1f})),
            DetectionOutput.v1(21, detection()), DetectionOutput.v8(detection()),
            new ROIAlign(7, 5, 2, 0.25f, "max", ROIAlign.AlignedMode.HALF_PIXEL),
            new TfIdfVectorizer(1, 2, 1, TfIdfVectorizer.Mode.TFIDF, new long[] {2, 3, 5, 4}, new long[] {0, 2},
                    new long[] {0, 1, 2}, new float[] {0.5f, 1, 2}),
            new Softmax(-1), new LogSoftmax(1), new MVN(true, 1e-5, MVN.EpsMode.OUTSIDE_SQRT),
            new LRN(1e-4, 0.75, 2, 5), new NormalizeL2(1e-6, true), new GroupNormalization(4, 1e-3),
            new TreeEnsemble(new TreeEnsemble.Forest(new long[] {0}, new TreeEnsemble.Mode[] {TreeEnsemble.Mode.LT},
                    new double[] {0.1}, new int[] {-1}, new int[] {-2}, new boolean[] {true}, new double[0],
                    new int[] {0}, new int[] {0, 1, 2}, new int[] {0, 0}, new double[] {1.5, -2}), 1,
                    TreeEnsemble.Aggregate.MAX, TreeEnsemble.PostTransform.LOGISTIC, new double[] {0.25}));

    private static DetectionOutput.Attributes detection() {
        return new DetectionOutput.Attributes(1, 100, true, new long[] {50}, DetectionOutput.CodeType.CENTER_SIZE,
                false, 0.45f, 0.01f, true, false, true, true, 300, 300, 0.5f);
    }

    @Test
    void everyRegisteredOpIsDeclaredUnderItsTypeAndReadsBackWhatItWrites() {
        OpFactories table = OpRegistry.standard();
        Map<OpSpec<?>, Op> samples = new HashMap<>();
        List<Op> all = new ArrayList<>(DeclaredAttributesTest.OPS);
        all.addAll(SAMPLES);
        for (Op op : all) {
            assertNotNull(op.spec(), op.getClass().getName());
            samples.putIfAbsent(op.spec(), op);
        }
        Set<OpSpec<?>> walked = new HashSet<>();
        List<String> withoutSample = new ArrayList<>();
        for (OpFactories.Registration r : table.registrations()) {
            OpSpec<?> spec = r.spec();
            String where = r.type() + " (opset " + r.opset() + ")";
            if (!r.type().equals(spec.type())) {
                assertEquals("PRelu", r.type(), where + " is registered under another type than " + spec.type());
            }
            assertTrue(r.opset() <= OpFactories.opsetOf(spec.version()), where + " writes " + spec.version());
            if (ControlFlowOps.hasBodies(spec.type())) {
                InferoException e = assertThrows(InferoException.class, () -> spec.read(source(where, Map.of())));
                assertTrue(e.getMessage().contains("bodies"), e.getMessage());
                continue;
            }
            Op op = samples.get(spec);
            if (op == null) {
                try {
                    op = spec.read(source(where, Map.of()));
                } catch (InferoException e) {
                    withoutSample.add(where + ": " + e.getMessage());
                    continue;
                }
            }
            check(op, spec, where);
            walked.add(spec);
        }
        assertTrue(withoutSample.isEmpty(), "ops with required attributes need a sample here: " + withoutSample);
        assertTrue(walked.size() > 150, "walked " + walked.size() + " declarations");
    }

    private static void check(Op op, OpSpec<?> spec, String where) {
        assertEquals(spec.type(), op.type(), where + ": the op built reports another type");
        assertSame(Op.class, declarerOfDescribe(op), where + ": " + op.getClass().getSimpleName()
                + " describes its attributes by hand instead of declaring them");
        AttributeSink.Text text = new AttributeSink.Text();
        op.describe(text);
        Set<String> declared = new HashSet<>();
        for (Attribute<?, ?> a : op.spec().attributes()) {
            assertTrue(declared.add(a.name()), where + " declares " + a.name() + " twice");
        }
        assertTrue(declared.containsAll(text.values().keySet()), where + " writes " + text.values().keySet()
                + ", declares " + declared);
        assertRoundTrips(op);
    }

    private static Class<?> declarerOfDescribe(Op op) {
        try {
            return op.getClass().getMethod("describe", AttributeSink.class).getDeclaringClass();
        } catch (NoSuchMethodException e) {
            throw new AssertionError(e);
        }
    }

    private static AttributeSource source(String layer, Map<String, String> values) {
        return new AttributeSource("'" + layer + "'", values);
    }

    @Test
    void everyFourierTransformKindIsItsOwnDeclaration() {
        for (FourierTransform.Kind kind : FourierTransform.Kind.values()) {
            assertSame(FourierTransform.spec(kind), new FourierTransform(kind).spec());
        }
    }
}
