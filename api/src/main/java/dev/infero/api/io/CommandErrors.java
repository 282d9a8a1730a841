package dev.infero.api.io;

import dev.infero.core.InferoException;
import java.io.PrintWriter;
import picocli.CommandLine;

/**
 * How a command line reports a failure and which exit code it returns: {@code infero} and the {@code spark-submit}
 * entry point of {@code spark-batch} (which cannot depend on the CLI) both use it. An {@link InferoException} is one
 * {@code error:} line and exit code {@value #EXIT_ERROR}; anything else (out of memory, stack overflow, a bug) is one
 * line and {@value #EXIT_INTERNAL}, with the stack trace only when {@value #STACKTRACE_ENV}=1.
 */
public final class CommandErrors {
    /** Exit code of an error the message explains (bad model, input, option, limit). */
    public static final int EXIT_ERROR = 1;
    /** Exit code of a failure that is not the input's fault: out of memory, stack overflow, a bug (see README). */
    public static final int EXIT_INTERNAL = 4;
    /** Set to 1 to print the stack trace of an unexpected error instead of its one line. */
    public static final String STACKTRACE_ENV = "INFERO_STACKTRACE";

    private CommandErrors() {
    }

    /**
     * Runs {@code cli} on {@code args} writing to {@code out} and {@code err} ({@code null}: standard output and
     * error), with failures reported as {@link #report} says, and returns the exit code: the one wiring of
     * {@code infero} and {@code spark-batch}'s {@code spark-submit} entry point.
     */
    public static int execute(CommandLine cli, PrintWriter out, PrintWriter err, String... args) {
        if (out != null) {
            cli.setOut(out);
        }
        if (err != null) {
            cli.setErr(err);
        }
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> report(e, cmd.getErr()));
        try {
            return cli.execute(args);
        } catch (Error e) { // OutOfMemoryError, StackOverflowError: picocli hands only Exceptions to the handler
            return unexpected(e, cli.getErr());
        }
    }

    /** Reports {@code e} on {@code err} and returns the exit code for it. */
    public static int report(Throwable e, PrintWriter err) {
        if (e instanceof InferoException) {
            err.println("error: " + e.getMessage());
            return EXIT_ERROR;
        }
        return unexpected(e, err);
    }

    /** One error line for what Infero did not foresee, and the stack trace only when asked for. */
    public static int unexpected(Throwable e, PrintWriter err) {
        String what = switch (e) {
            case OutOfMemoryError oom -> "out of memory (" + oom.getMessage() + "); give the JVM more heap, e.g. "
                    + "INFERO_JAVA_OPTS=-Xmx16g, or lower the inputs' sizes";
            case StackOverflowError so -> "stack overflow (a model or file nested too deeply?)";
            default -> "unexpected " + e.getClass().getName() + (e.getMessage() == null ? "" : ": " + e.getMessage())
                    + " (a bug in Infero; please report it with the stack trace)";
        };
        err.println("error: " + what);
        if ("1".equals(System.getenv(STACKTRACE_ENV))) {
            e.printStackTrace(err);
        } else {
            err.println("(set " + STACKTRACE_ENV + "=1 for the stack trace)");
        }
        err.flush();
        return EXIT_INTERNAL;
    }
}
