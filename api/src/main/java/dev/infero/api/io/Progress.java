package dev.infero.api.io;

import java.io.Console;
import java.io.PrintStream;
import java.util.Locale;

/**
 * Progress of one stage of a long-running tool (calibration, bias correction, evaluation, a benchmark run): a bar
 * redrawn in place when the output is an interactive terminal, otherwise one plain line when the stage ends, so logs
 * of CI jobs and redirected runs get no carriage-return frames. Every tool that shows progress goes through this
 * class. A {@code null} stream makes it silent.
 *
 * <p>Progress counts either steps ({@link #step()} against a total) or a fraction ({@link #update(double)}, for
 * time-bound loops); {@link #finish()} ends the stage (it is idempotent, and {@link #close()} calls it).
 */
public final class Progress implements AutoCloseable {
    private static final int WIDTH = 40;

    private final String label;
    private final long total;
    private final PrintStream out;
    private final boolean terminal;
    private final long startNanos = System.nanoTime();
    private long done;
    private double fraction;
    private int drawn = -1;
    private boolean finished;

    /**
     * A stage of {@code total} steps (0 or less: counted as a fraction through {@link #update}) reported on
     * {@code out}, drawn as a bar when {@link #isTerminal()}.
     */
    public Progress(String label, long total, PrintStream out) {
        this(label, total, out, isTerminal());
    }

    /** As {@link #Progress(String, long, PrintStream)}, with the terminal decision made by the caller. */
    public Progress(String label, long total, PrintStream out, boolean terminal) {
        this.label = label;
        this.total = total;
        this.out = out;
        this.terminal = terminal;
        draw();
    }

    /**
     * Whether progress may be drawn in place: the JVM has an interactive console and the {@code CI} environment
     * variable (set by GitHub Actions, GitLab CI, Jenkins and others) is absent.
     */
    public static boolean isTerminal() {
        Console console = System.console();
        return console != null && console.isTerminal() && System.getenv("CI") == null;
    }

    /** One more step done. */
    public void step() {
        done++;
        fraction = total > 0 ? Math.min(1.0, (double) done / total) : fraction;
        draw();
    }

    /** The stage is {@code fraction} (0 to 1) done; for stages measured in time rather than steps. */
    public void update(double fraction) {
        this.fraction = Math.max(0, Math.min(1, fraction));
        draw();
    }

    /** Ends the stage: ends the bar's line on a terminal, prints the stage's one line otherwise. */
    public void finish() {
        if (finished || out == null) {
            finished = true;
            return;
        }
        finished = true;
        if (terminal) {
            out.println();
        } else {
            double seconds = (System.nanoTime() - startNanos) / 1e9;
            String count = total > 0 ? done + "/" + total : Math.round(fraction * 100) + "%";
            out.println(String.format(Locale.ROOT, "%s: %s in %.1f s", label.strip(), count, seconds));
        }
        out.flush();
    }

    @Override
    public void close() {
        finish();
    }

    private void draw() {
        if (out == null || !terminal || finished) {
            return;
        }
        int filled = (int) (fraction * WIDTH);
        int percent = (int) Math.floor(fraction * 100);
        // Redraw only when what is shown changes: the bar for step counts, the percentage for fractions.
        int shown = total > 0 ? filled : percent;
        if (shown == drawn && (total <= 0 || done != total)) {
            return;
        }
        drawn = shown;
        String count = total > 0 ? done + "/" + total : percent + "%";
        out.print("\r" + label + " [" + "#".repeat(filled) + " ".repeat(WIDTH - filled) + "] " + count);
        out.flush();
    }
}
