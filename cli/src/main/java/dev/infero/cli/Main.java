package dev.infero.cli;

import dev.infero.api.io.CommandErrors;
import java.io.PrintWriter;
import java.util.Arrays;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code infero} command line: one subcommand per tool. */
@Command(name = "infero", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Neural network inference on the JVM: inspect, run and check models on the CPU.")
public final class Main implements Runnable {
    /**
     * The subcommands, in the order {@code infero --help} lists them. Picocli reflects over every option of every
     * subcommand it is given; when the first argument names one, only that one is added (a third of the CPU time
     * of starting {@code infero serve} went into building the other fourteen).
     */
    static final List<Class<?>> SUBCOMMANDS = List.of(InfoCommand.class, RunCommand.class, ConvertCommand.class,
            dev.infero.cli.benchmark.BenchmarkCommand.class, ConformanceCommand.class, DemoCommand.class,
            dev.infero.cli.quantize.QuantizeCommand.class, dev.infero.cli.quantize.CompareCommand.class,
            ServeCommand.class,
            dev.infero.cli.accuracy.AccuracyCommand.class, dev.infero.cli.accuracy.OptimizeCommand.class,
            dev.infero.cli.faces.FacesCommand.class, dev.infero.cli.report.ReportCommand.class,
            dev.infero.spark.SparkBatchCommand.class,
            CommandLine.HelpCommand.class);

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        // Warnings (a newer opset than Infero knows, ...) as one line each, as errors are.
        if (System.getProperty("java.util.logging.SimpleFormatter.format") == null) {
            System.setProperty("java.util.logging.SimpleFormatter.format", "%4$s: %5$s%6$s%n");
        }
        System.exit(execute(args));
    }

    /**
     * Runs a command line and returns its exit code: 0 success, 1 an error the message explains (bad model, input,
     * option, limit), 2 a usage error, 4 out of memory, stack overflow or an unexpected error (see {@link CommandErrors}).
     */
    public static int execute(String... args) {
        return execute(null, null, args);
    }

    /** Runs a command line writing to {@code out} and {@code err} ({@code null}: standard output and error). */
    public static int execute(PrintWriter out, PrintWriter err, String... args) {
        return CommandErrors.execute(commandLine(args), out, err, args);
    }

    /** The command tree for {@code args}: only the subcommand the first argument names, or all of them. */
    static CommandLine commandLine(String... args) {
        CommandLine cli = new CommandLine(new Main());
        Class<?> only = args.length == 0 ? null : subcommandNamed(args[0]);
        for (Class<?> command : SUBCOMMANDS) {
            if (only == null || command == only) {
                cli.addSubcommand(command);
            }
        }
        return cli;
    }

    private static Class<?> subcommandNamed(String name) {
        for (Class<?> command : SUBCOMMANDS) {
            Command c = command.getAnnotation(Command.class);
            // "help" lists the others, so it needs the whole tree.
            if (command != CommandLine.HelpCommand.class
                    && (c.name().equals(name) || Arrays.asList(c.aliases()).contains(name))) {
                return command;
            }
        }
        return null;
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
