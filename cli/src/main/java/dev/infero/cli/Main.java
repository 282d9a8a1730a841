package dev.infero.cli;

import dev.infero.core.InferoException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code infero} command line: one subcommand per tool. */
@Command(name = "infero", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Neural network inference on the JVM: inspect, run and check models on the CPU.",
        subcommands = {InfoCommand.class, RunCommand.class, ConvertCommand.class,
            dev.infero.cli.benchmark.BenchmarkCommand.class, ConformanceCommand.class, DemoCommand.class,
            dev.infero.cli.quantize.QuantizeCommand.class, dev.infero.cli.quantize.CompareCommand.class,
            ServeCommand.class,
            dev.infero.cli.accuracy.AccuracyCommand.class, dev.infero.cli.accuracy.OptimizeCommand.class,
            dev.infero.cli.faces.FacesCommand.class, dev.infero.cli.report.ReportCommand.class,
            dev.infero.spark.SparkBatchCommand.class,
            CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs a command line and returns its exit code (0 success, 1 failure, 2 usage error). */
    public static int execute(String... args) {
        return execute(null, null, args);
    }

    /** Runs a command line writing to {@code out} and {@code err} ({@code null}: standard output and error). */
    public static int execute(PrintWriter out, PrintWriter err, String... args) {
        CommandLine cli = new CommandLine(new Main());
        if (out != null) {
            cli.setOut(out);
        }
        if (err != null) {
            cli.setErr(err);
        }
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            if (e instanceof InferoException) {
                cmd.getErr().println("error: " + e.getMessage());
                return 1;
            }
            throw e;
        });
        return cli.execute(args);
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** The version from the jar manifest (or "dev" when run from classes). */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"Infero " + (v == null ? "dev" : v) + " (Java " + Runtime.version() + ")"};
        }
    }
}
