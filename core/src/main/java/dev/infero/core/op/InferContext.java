package dev.infero.core.op;

import dev.infero.core.InferoException;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.core.types.PartialShape;

/** What {@link Op#infer} sees of a node: its inputs' types, shapes and (when known) values; where outputs go. */
public interface InferContext {
    int inputCount();

    ElementType inputType(int i);

    PartialShape inputShape(int i);

    /** The input's value when it is known (a constant, or any input at run time); otherwise {@code null}. */
    Tensor inputValue(int i);

    /** Whether optional input {@code i} is present (ONNX lets trailing or empty-named inputs be omitted). */
    default boolean hasInput(int i) {
        return i < inputCount();
    }

    void setOutput(int i, ElementType type, PartialShape shape);

    /** Name of the node, for error messages. */
    String nodeName();

    /** An exception naming the node and its op, ready to throw. */
    InferoException error(String message);

    /** The value of input {@code i}, or an error saying it must be known (for attributes passed as inputs). */
    default Tensor requireValue(int i, String what) {
        Tensor t = inputValue(i);
        if (t == null) {
            throw error(what + " (input " + i + ") must be a constant");
        }
        return t;
    }

    /**
     * Checks that input {@code i} holds integers (indices, axes, counts), else the one error naming it:
     * "{@code what} must be integers, got TYPE".
     */
    default void requireInteger(int i, String what) {
        if (!inputType(i).isInteger()) {
            throw error(what + " must be integers, got " + inputType(i));
        }
    }

    /** Checks that input {@code i} is floating-point, else "{@code what} must be floating-point, got TYPE". */
    default void requireFloating(int i, String what) {
        if (!inputType(i).isFloating()) {
            throw error(what + " must be floating-point, got " + inputType(i));
        }
    }

    /** {@code axis} (negative counts from the end) as an index into rank {@code rank}, or the error naming it. */
    default int axis(long axis, int rank) {
        if (axis < -rank || axis >= rank) {
            throw error("axis " + axis + " is out of range for rank " + rank);
        }
        return (int) (axis < 0 ? axis + rank : axis);
    }

    /**
     * The rule of ops whose output has data's type and a rank that follows from data's: when input 0's rank is not
     * known, output 0 gets data's type and an unknown rank. Returns whether it did (then the op's inference is done).
     */
    default boolean unknownRankPassedOn() {
        if (inputShape(0).hasRank()) {
            return false;
        }
        setOutput(0, inputType(0), PartialShape.unknownRank());
        return true;
    }

    /** Input {@code i}'s static shape, or {@code null} when not yet known. */
    default int[] staticShape(int i) {
        PartialShape s = inputShape(i);
        return s.isStatic() ? s.toArray() : null;
    }
}
