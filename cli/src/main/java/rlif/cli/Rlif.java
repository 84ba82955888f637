package rlif.cli;

import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import rlif.models.BadInputException;
import rlif.models.progress.ProgressSink;
import rlif.models.provenance.Provenance;

/** The {@code rlif} command: score and train checkpoints on their internal feedback signals. */
@Command(
        name = "rlif",
        mixinStandardHelpOptions = true,
        versionProvider = Rlif.Version.class,
        description = "Score and train language-model checkpoints on their internal feedback signals.",
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
            TrainTokenizerCommand.class,
            RewardValidityCommand.class,
        })
public final class Rlif implements Runnable {
    // Declared once and inherited by every subcommand. execute() reads the flag from the raw arguments, since
    // an error can end parsing before picocli sets this field.
    @CommandLine.Option(names = "--verbose", scope = CommandLine.ScopeType.INHERIT,
            description = "print stack traces of errors")
    boolean verbose;

    /** {@code rlif --version}: the build's version and the checkout's commit. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"rlif " + Provenance.buildVersion() + " (commit " + Provenance.checkoutCommit() + ")"};
        }
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    public static void main(String[] args) {
        exit(new CommandLine(new Rlif()), args);
    }

    /** The {@code main} of a command line ({@code rlif}, or one launched on its own): runs it and exits with its code. */
    public static void exit(CommandLine cli, String... args) {
        String tty = System.getProperty("rlif.stderr.tty");
        if (tty != null && ProgressSink.stderr().mode() == ProgressSink.Mode.TTY) {
            // bin/rlif hands over the terminal (stderr reaches the JVM through a filter pipe, which would let
            // stdout overtake a bar's last redraw on screen)
            try {
                System.setErr(new java.io.PrintStream(new java.io.FileOutputStream(tty, true), true,
                        java.nio.charset.StandardCharsets.UTF_8));
            } catch (java.io.IOException e) {
                // keep the piped stderr: progress still shows, only the order against stdout may slip
            }
        } else if (ProgressSink.stderr().mode() != ProgressSink.Mode.TTY) {
            // progress is drawn as whole lines here; any \r-redrawn line (a library's) would be noise in a log
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
        // the command as typed: "rlif score ...", or "rlif spark-score ..." for a command launched on its own
        String name = cli.getCommandName();
        Provenance.recordCommand(name.equals("rlif") ? "rlif" : "rlif " + name, args);
        cli.setParameterExceptionHandler((ex, a) -> {
            ProgressSink.stderr().breakLine();
            PrintWriter err = ex.getCommandLine().getErr();
            err.println("error: " + withSuggestions(ex));
            if (verbose) {
                ex.printStackTrace(err);
            }
            err.flush();
            return 2;
        });
        cli.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            // a status line or bar may be open: the error starts a line of its own
            ProgressSink.stderr().breakLine();
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

    /**
     * picocli's message for a mistyped command or flag, with its closest matches: {@code unknown command
     * 'scroe'; did you mean score?}, {@code Unknown option: '--max-new-token'; did you mean --max-new-tokens?}.
     */
    static String withSuggestions(CommandLine.ParameterException ex) {
        if (!(ex instanceof CommandLine.UnmatchedArgumentException u)) {
            return ex.getMessage();
        }
        List<String> unmatched = u.getUnmatched();
        boolean command = !unmatched.isEmpty() && !unmatched.get(0).startsWith("-")
                && !ex.getCommandLine().getSubcommands().isEmpty();
        String message = command ? "unknown command '" + unmatched.get(0) + "' for "
                + ex.getCommandLine().getCommandSpec().qualifiedName() : ex.getMessage();
        List<String> suggestions = u.getSuggestions().stream().distinct().limit(3).toList();
        if (suggestions.isEmpty()) {
            return message + (command ? "; the commands are " + String.join(", ",
                    ex.getCommandLine().getSubcommands().keySet().stream().filter(n -> !n.equals("help")).toList()) : "");
        }
        return message + "; did you mean " + String.join(" or ", suggestions) + "?";
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
