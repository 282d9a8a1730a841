package dev.infero.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class MainTest {
    @Test
    void helpListsEveryCommand() {
        StringWriter out = new StringWriter();
        assertEquals(0, Main.execute(new PrintWriter(out, true), new PrintWriter(new StringWriter()), "--help"));
        for (String command : new String[] {"info", "run", "conformance", "demo", "help"}) {
            assertTrue(out.toString().contains("  " + command + " "), command + " missing from:\n" + out);
        }
    }

    @Test
    void unknownCommandIsAUsageError() {
        StringWriter err = new StringWriter();
        assertEquals(2, Main.execute(new PrintWriter(new StringWriter()), new PrintWriter(err, true), "frobnicate"));
        assertTrue(err.toString().contains("Unmatched argument"), err.toString());
    }

    @Test
    void aNamedSubcommandIsTheOnlyOneBuilt() {
        assertEquals(java.util.Set.of("serve"), Main.commandLine("serve", "--help").getSubcommands().keySet());
        assertEquals(Main.SUBCOMMANDS.size(), Main.commandLine("help", "serve").getSubcommands().size());
        assertEquals(Main.SUBCOMMANDS.size(), Main.commandLine().getSubcommands().size());
        StringWriter out = new StringWriter();
        assertEquals(0, Main.execute(new PrintWriter(out, true), new PrintWriter(new StringWriter()), "help",
                "serve"));
        assertTrue(out.toString().startsWith("Usage: infero serve "), out.toString());
    }
}
