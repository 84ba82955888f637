package rlif.cli;

import java.io.PrintWriter;
import java.io.UncheckedIOException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import rlif.models.BadInputException;

/** The {@code rlif} command: score and train checkpoints on their internal feedback signals. */
@Command(
        name = "rlif",
        mixinStandardHelpOptions = true,
        version = "rlif 0.1.0",
        description = "Score and train language-model checkpoints on their internal feedback signals.",
        footer = {"", "bin/rlif spark-score runs the score job on Apache Spark, with a class path of its own"
                + " (docs/scale.md)."},
        subcommands = {
            CommandLine.HelpCommand.class,
            InfoCommand.class,
            ScoreCommand.class,
            TrainCommand.class,
            ExportCommand.class,
            MixCommand.class,
            BenchCommand.class,
            ImportCommand.class,
            DemoCommand.class,
        })
public final class Rlif implements Runnable {
    // Declared once and inherited by every subcommand. execute() reads the flag from the raw arguments, since
    // an error can end parsing before picocli sets this field.
    @CommandLine.Option(names = "--verbose", scope = CommandLine.ScopeType.INHERIT,
            description = "print stack traces of errors")
    boolean verbose;

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    public static void main(String[] args) {
        exit(new CommandLine(new Rlif()), args);
    }

    /** The {@code main} of a command line ({@code rlif}, or one launched on its own): runs it and exits with its code. */
    public static void exit(CommandLine cli, String... args) {
        if (!ProgressLineFilter.stderrIsTerminal()) {
            // progress bars redraw with \r; in a log or pipe they are noise before the line that matters
            System.setErr(new java.io.PrintStream(new ProgressLineFilter(new java.io.FileOutputStream(java.io.FileDescriptor.err)),
                    true, java.nio.charset.StandardCharsets.UTF_8));
        }
        int code = execute(cli, args);
        System.err.flush();
        System.exit(code);
    }

    /** Runs the command line and maps failures to the exit codes of the CLI contract (docs/cli.md). */
    public static int execute(String... args) {
        return execute(new CommandLine(new Rlif()), args);
    }

    /**
     * Runs {@code cli} (rlif or a command launched on its own, such as {@code spark-score}) with the exit codes
     * and the one-line errors of the CLI contract.
     */
    public static int execute(CommandLine cli, String... args) {
        boolean verbose = java.util.Arrays.asList(args).contains("--verbose");
        cli.setParameterExceptionHandler((ex, a) -> {
            PrintWriter err = ex.getCommandLine().getErr();
            err.println("error: " + ex.getMessage());
            if (verbose) {
                ex.printStackTrace(err);
            }
            err.flush();
            return 2;
        });
        cli.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            PrintWriter err = commandLine.getErr();
            int code = isBadInput(ex) ? 2 : 1;
            err.println("error: " + (code == 1 ? "internal: " : "") + messageOf(ex));
            if (verbose) {
                ex.printStackTrace(err);
            } else if (code == 1) {
                err.println("(run again with --verbose for the stack trace)");
            }
            err.flush();
            return code;
        });
        return cli.execute(args);
    }

    private static boolean isBadInput(Throwable ex) {
        for (Throwable t = ex; t != null; t = t.getCause()) {
            if (t instanceof BadInputException || t instanceof CommandLine.ParameterException) {
                return true;
            }
        }
        return false;
    }

    private static String messageOf(Throwable ex) {
        for (Throwable t = ex; t != null; t = t.getCause()) {
            if (t instanceof BadInputException) {
                return t.getMessage();
            }
        }
        if (ex instanceof UncheckedIOException u && u.getCause() != null) {
            return u.getMessage();
        }
        return ex.getMessage() == null ? ex.getClass().getSimpleName() : ex.getMessage();
    }
}
