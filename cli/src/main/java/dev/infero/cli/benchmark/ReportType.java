package dev.infero.cli.benchmark;

import java.util.Locale;

/** {@code -report_type}: which per-layer counters the reports hold besides the main statistics. */
enum ReportType {
    NO_COUNTERS, AVERAGE_COUNTERS, DETAILED_COUNTERS;

    static ReportType parse(String text) {
        for (ReportType t : values()) {
            if (t.cliName().equals(text.toLowerCase(Locale.ROOT))) {
                return t;
            }
        }
        throw new IllegalArgumentException("-report_type must be no_counters, average_counters or "
                + "detailed_counters, got '" + text + "'");
    }

    String cliName() {
        return name().toLowerCase(Locale.ROOT);
    }

    boolean needsCounters() {
        return this != NO_COUNTERS;
    }
}
