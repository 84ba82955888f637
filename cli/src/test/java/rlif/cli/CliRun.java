package rlif.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import picocli.CommandLine;

/** What one run of the real CLI entry point ({@link Rlif#execute}) returned and printed, for tests. */
public record CliRun(int code, String out, String err) {

    /** Runs {@code rlif args...} in this JVM with stdout and stderr captured. */
    public static CliRun of(String... args) {
        return ofCommand(new Rlif(), args);
    }

    /**
     * Runs {@code command} (rlif, or a command launched on its own) with stdout and stderr captured; its command
     * line is made after the streams are swapped, since picocli keeps the stderr it finds when made.
     */
    public static CliRun ofCommand(Object command, String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int code = Rlif.execute(new CommandLine(command), args);
            return new CliRun(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    /** The stderr lines that start with {@code error:} (the contract allows exactly one on failure). */
    public List<String> errorLines() {
        return err.lines().filter(l -> l.startsWith("error:")).toList();
    }
}
