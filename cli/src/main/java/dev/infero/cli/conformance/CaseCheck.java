package dev.infero.cli.conformance;

import java.nio.file.Path;

/**
 * Runs one conformance case. Returning normally means it passed; {@link WrongAnswerException} means a wrong answer;
 * an {@link dev.infero.core.InferoException} means Infero refused it cleanly; anything else is a crash.
 */
@FunctionalInterface
public interface CaseCheck {
    void check(Path caseDir) throws Exception;

    /** An output that differs from the reference (value, type, shape or count). */
    final class WrongAnswerException extends Exception {
        public WrongAnswerException(String message) {
            super(message);
        }
    }
}
