package rlif.models.progress;

import java.io.PrintStream;
import java.util.Locale;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Where rlif tells a person what it is doing: status lines for slow phases ({@link #phase}) and progress bars
 * ({@link #bar}), in one style for every command, on stderr so stdout stays for results.
 *
 * <p>On a terminal a bar is redrawn in place with a carriage return (no ANSI escapes, no colours). Anywhere
 * else (a log file, a pipe, CI) nothing is redrawn: a bar prints a whole line when it starts, every tenth of
 * the way or every minute, and when it ends, so a log reads top to bottom. Which one applies is decided once
 * per process: {@code bin/rlif} tests whether stderr is a terminal and passes {@code -Drlif.progress=tty},
 * {@code plain} or {@code off} (the environment variable {@code RLIF_PROGRESS} overrides it); without the
 * launcher the process looks at its own stderr.
 */
public final class ProgressSink {
    /** How progress is shown. */
    public enum Mode {
        /** Redrawn in place: stderr is a terminal. */
        TTY,
        /** Whole lines only: stderr is a file or a pipe. */
        PLAIN,
        /** Nothing (tests, quiet library use). */
        OFF
    }

    private static final PrintStream NOWHERE = new PrintStream(java.io.OutputStream.nullOutputStream());
    private static final ProgressSink OFF = new ProgressSink(() -> NOWHERE, Mode.OFF, System::nanoTime, false);
    private static volatile ProgressSink stderr;

    /** Read at each write, so a {@code System.setErr} (tests capturing stderr) is followed. */
    private final Supplier<PrintStream> stream;
    private final Mode mode;
    private final LongSupplier clock;
    /** Whether open bars on a terminal are redrawn every second between steps (real stderr only). */
    private final boolean ticking;
    /** Characters of the bar line currently on screen (TTY), 0 when the cursor is at the start of a line. */
    private int openLine;
    /** A phase line waiting for its time to be appended, or null. */
    private Phase openPhase;

    ProgressSink(Supplier<PrintStream> stream, Mode mode, LongSupplier clock, boolean ticking) {
        this.stream = stream;
        this.mode = mode;
        this.clock = clock;
        this.ticking = ticking && mode == Mode.TTY;
    }

    /** The process's stderr in the mode chosen for it (see the class comment). */
    public static ProgressSink stderr() {
        ProgressSink s = stderr;
        if (s == null) {
            synchronized (ProgressSink.class) {
                if (stderr == null) {
                    stderr = new ProgressSink(() -> System.err, modeFromEnvironment(), System::nanoTime, true);
                }
                s = stderr;
            }
        }
        return s;
    }

    /** A sink that shows nothing. */
    public static ProgressSink off() {
        return OFF;
    }

    /** A sink writing to {@code out} in {@code mode}, timed by {@code nanoClock} (tests pass a fake clock). */
    public static ProgressSink to(PrintStream out, Mode mode, LongSupplier nanoClock) {
        return new ProgressSink(() -> out, mode, nanoClock, false);
    }

    static Mode modeFromEnvironment() {
        String v = System.getenv("RLIF_PROGRESS");
        if (v == null || v.isBlank()) {
            v = System.getProperty("rlif.progress");
        }
        if (v == null || v.isBlank()) {
            v = stderrIsTerminal() ? "tty" : "plain";
        }
        return switch (v.trim().toLowerCase(Locale.ROOT)) {
            case "tty", "terminal" -> Mode.TTY;
            case "off", "none", "quiet" -> Mode.OFF;
            default -> Mode.PLAIN;
        };
    }

    /**
     * Whether this process's own stderr is a terminal (Linux: fd 2 is a tty device; elsewhere: a console is
     * attached). Under {@code bin/rlif} it never is (stderr goes through a pipe), so the launcher tests the
     * terminal itself and passes {@code -Drlif.progress}.
     */
    static boolean stderrIsTerminal() {
        try {
            String target = java.nio.file.Files.readSymbolicLink(java.nio.file.Path.of("/proc/self/fd/2")).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
        } catch (java.io.IOException | UnsupportedOperationException | SecurityException e) {
            return System.console() != null;
        }
    }

    public Mode mode() {
        return mode;
    }

    /**
     * Starts a slow phase: prints {@code what ...} now, and its duration when the returned phase closes
     * ({@code opening model ... 18.2 s}).
     */
    public synchronized Phase phase(String what) {
        if (mode == Mode.OFF) {
            return new Phase(this, what, clock.getAsLong());
        }
        endLine();
        stream.get().print(what + " ...");
        stream.get().flush();
        Phase p = new Phase(this, what, clock.getAsLong());
        openPhase = p;
        return p;
    }

    /** Runs {@code work} as a phase: {@code what ...} now, its duration when it returns (or throws). */
    public <T> T during(String what, Supplier<T> work) {
        Phase p = phase(what);
        try {
            return work.get();
        } finally {
            p.close();
        }
    }

    /** A one-off status line ({@code wrote report.html}). */
    public synchronized void line(String text) {
        if (mode == Mode.OFF) {
            return;
        }
        endLine();
        stream.get().println(text);
        stream.get().flush();
    }

    /** A progress bar over {@code total} units named {@code unit} ("rollouts", "steps", "M params"). */
    public Progress bar(String task, long total, String unit) {
        return new Progress(this, task, total, unit, 0);
    }

    /** A bar of which {@code already} units were done by an earlier run (not counted in the rate). */
    public Progress bar(String task, long total, String unit, long already) {
        return new Progress(this, task, total, unit, already);
    }

    boolean ticking() {
        return ticking;
    }

    long now() {
        return clock.getAsLong();
    }

    synchronized void endPhase(Phase p, double seconds) {
        if (mode == Mode.OFF) {
            return;
        }
        String took = Progress.duration(seconds);
        if (openPhase == p) {
            stream.get().println(" " + took);
            openPhase = null;
        } else {
            endLine();
            stream.get().println(p.what() + ": " + took);
        }
        stream.get().flush();
    }

    /** Redraws the bar line in place (TTY). */
    synchronized void redraw(String line) {
        if (openPhase != null) {
            stream.get().println();
            openPhase = null;
        }
        StringBuilder b = new StringBuilder("\r").append(line);
        for (int i = line.length(); i < openLine; i++) {
            b.append(' '); // rub out the rest of a longer previous line
        }
        stream.get().print(b);
        stream.get().flush();
        openLine = line.length();
    }

    /** Prints a whole line (PLAIN, or a bar's last state on a TTY). */
    synchronized void printLine(String line, boolean inPlace) {
        if (inPlace) {
            redraw(line);
            stream.get().println();
            openLine = 0;
        } else {
            endLine();
            stream.get().println(line);
        }
        stream.get().flush();
    }

    /**
     * Ends an open bar or phase line so that what comes next (an {@code error:} line) starts a line of its
     * own; does nothing when the cursor is already at the start of one.
     */
    public synchronized void breakLine() {
        endLine();
        stream.get().flush();
    }

    private void endLine() {
        if (openLine > 0 || openPhase != null) {
            stream.get().println();
            openLine = 0;
            openPhase = null;
        }
    }
}
