package dev.infero.api.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infero.core.InferoException;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class CommandErrorsTest {
    @Test
    void anInferoExceptionIsItsMessageOnOneLineAndExitCodeOne() {
        StringWriter err = new StringWriter();
        assertEquals(CommandErrors.EXIT_ERROR,
                CommandErrors.report(new InferoException("model.onnx: no such file"), new PrintWriter(err, true)));
        assertEquals("error: model.onnx: no such file", err.toString().strip());
    }

    @Test
    void outOfMemoryStackOverflowAndBugsAreOneErrorLineWithTheirOwnExitCode() {
        for (Throwable t : new Throwable[] {new OutOfMemoryError("Java heap space"), new StackOverflowError(),
                new NullPointerException("x is null")}) {
            StringWriter err = new StringWriter();
            assertEquals(CommandErrors.EXIT_INTERNAL, CommandErrors.report(t, new PrintWriter(err, true)));
            String[] lines = err.toString().split("\n");
            assertTrue(lines[0].startsWith("error: "), err.toString());
            assertTrue(err.toString().contains(CommandErrors.STACKTRACE_ENV + "=1"), err.toString());
            assertTrue(!err.toString().contains("\tat "), "no stack trace unless asked for: " + err);
        }
        StringWriter err = new StringWriter();
        CommandErrors.unexpected(new OutOfMemoryError("Java heap space"), new PrintWriter(err, true));
        assertTrue(err.toString().startsWith("error: out of memory (Java heap space)"), err.toString());
    }
}
