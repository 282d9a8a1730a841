package dev.infero.cli;

import java.io.PrintWriter;
import java.io.StringWriter;

/** One run of the {@code infero} command in-process: its exit code and what it printed. */
public record CliRun(int code, String out, String err) {
    /** Runs {@code infero args...}. */
    public static CliRun run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new CliRun(code, out.toString(), err.toString());
    }
}
