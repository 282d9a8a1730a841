package dev.infero.quantize;

import java.io.PrintStream;

/** A one-line progress bar redrawn in place ({@code \r}); silent when no stream is given. */
public final class ProgressBar {
    private static final int WIDTH = 40;

    private final String label;
    private final int total;
    private final PrintStream out;
    private int done;
    private int drawn = -1;

    public ProgressBar(String label, int total, PrintStream out) {
        this.label = label;
        this.total = Math.max(total, 1);
        this.out = out;
        draw();
    }

    public void step() {
        done++;
        draw();
    }

    public void finish() {
        if (out != null) {
            out.println();
        }
    }

    private void draw() {
        int filled = (int) ((long) done * WIDTH / total);
        if (out == null || filled == drawn && done != total) {
            return;
        }
        drawn = filled;
        out.print("\r" + label + " [" + "#".repeat(filled) + " ".repeat(WIDTH - filled) + "] " + done + "/" + total);
        out.flush();
    }
}
