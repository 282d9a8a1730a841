package dev.infero.cli.conformance;

/** How a conformance case ended. */
public enum Outcome {
    /** Every output of every data set matched. */
    PASSED,
    /** A wrong answer, wrong type or shape, a crash (an exception that is not an InferoException) or a timeout. */
    FAILED,
    /** Infero refused the case cleanly with an InferoException (unsupported operator, data type, ...). */
    UNSUPPORTED
}
