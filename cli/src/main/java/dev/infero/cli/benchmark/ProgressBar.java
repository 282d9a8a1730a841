package dev.infero.cli.benchmark;

import java.io.PrintStream;

/** A one-line progress bar redrawn in place on a terminal stream: {@code [=========>          ] 45%}. */
final class ProgressBar implements MeasurementLoop.Progress {
    private static final int WIDTH = 40;
    private final PrintStream out;
    private int shownPercent = -1;

    ProgressBar(PrintStream out) {
        this.out = out;
    }

    @Override
    public void update(double fraction) {
        int percent = (int) Math.floor(fraction * 100);
        if (percent == shownPercent) {
            return;
        }
        shownPercent = percent;
        int filled = percent * WIDTH / 100;
        StringBuilder bar = new StringBuilder("\r[");
        for (int i = 0; i < WIDTH; i++) {
            bar.append(i < filled ? '=' : i == filled ? '>' : ' ');
        }
        out.print(bar.append("] ").append(percent).append('%'));
        out.flush();
    }

    /** Ends the bar's line. */
    void finish() {
        if (shownPercent >= 0) {
            out.println();
        }
    }
}
