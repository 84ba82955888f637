package rlif.models.progress;

import java.util.Locale;

/**
 * A progress bar: {@code score [######------] 128/256 rollouts 50% 5.3/s 0:24 elapsed 0:24 left}, then any
 * message ({@code loss 0.1234}). The rate counts only this run's units (a resumed run starts from what was
 * already done), so the time left is honest. Thread-safe; closing prints the final state on its own line.
 */
public final class Progress implements AutoCloseable {
    private static final int WIDTH = 24;
    private static final long TTY_REDRAW_NANOS = 150_000_000L;
    private static final long PLAIN_LINE_NANOS = 60_000_000_000L;

    private final ProgressSink sink;
    private final String task;
    private final String unit;
    private final long total;
    private final long start;
    private final long initial;
    private long done;
    private String message = "";
    private long lastDraw = Long.MIN_VALUE;
    private long lastTenth = -1;
    /** {@code done} when the last whole line was printed (PLAIN), so closing does not repeat it. */
    private long lastPrintedDone = -1;
    private boolean closed;

    /** {@code already} units were done before this run (a resume); they do not count toward the rate. */
    Progress(ProgressSink sink, String task, long total, String unit, long already) {
        this.sink = sink;
        this.task = task;
        this.unit = unit;
        this.total = Math.max(0, total);
        this.start = sink.now();
        this.initial = already;
        this.done = already;
        draw(true);
        if (sink.ticking()) {
            // A step can take minutes (one batch of a large model): the clock keeps moving on screen, and the
            // last of a burst of steps that came within one redraw interval gets drawn.
            Thread ticker = new Thread(this::tick, "rlif-progress-" + task);
            ticker.setDaemon(true);
            ticker.start();
        }
    }

    private void tick() {
        try {
            while (true) {
                Thread.sleep(1000);
                synchronized (this) {
                    if (closed) {
                        return;
                    }
                    draw(true);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public void step() {
        step(1);
    }

    public synchronized void step(long n) {
        stepTo(done + n);
    }

    public synchronized void stepTo(long value) {
        done = Math.max(done, value);
        draw(false);
    }

    /** Text after the numbers, e.g. the last loss or what is being measured. */
    public synchronized void message(String text) {
        message = text == null ? "" : text;
        draw(false);
    }

    public synchronized long done() {
        return done;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (sink.mode() == ProgressSink.Mode.TTY || sink.mode() == ProgressSink.Mode.PLAIN && done != lastPrintedDone) {
            sink.printLine(render(), sink.mode() == ProgressSink.Mode.TTY);
        }
    }

    private void draw(boolean force) {
        if (closed || sink.mode() == ProgressSink.Mode.OFF) {
            return;
        }
        long now = sink.now();
        if (sink.mode() == ProgressSink.Mode.TTY) {
            if (force || now - lastDraw >= TTY_REDRAW_NANOS || done >= total) {
                lastDraw = now;
                sink.redraw(render());
            }
            return;
        }
        long tenth = total == 0 ? 0 : done * 10 / total;
        if (force || tenth > lastTenth || now - lastDraw >= PLAIN_LINE_NANOS) {
            if (!force && total > 0 && done >= total) {
                return; // the last line is printed by close()
            }
            lastTenth = tenth;
            lastDraw = now;
            lastPrintedDone = done;
            sink.printLine(render(), false);
        }
    }

    /** The bar as text, at the current time. */
    synchronized String render() {
        double elapsed = (sink.now() - start) / 1e9;
        long fresh = done - initial;
        double rate = elapsed > 0 ? fresh / elapsed : Double.NaN;
        StringBuilder b = new StringBuilder(task).append(' ');
        if (total > 0) {
            int filled = (int) Math.min(WIDTH, done * WIDTH / total);
            b.append('[').append("#".repeat(filled)).append("-".repeat(WIDTH - filled)).append("] ");
            b.append(done).append('/').append(total).append(' ').append(unit).append(' ')
                    .append(done * 100 / total).append('%');
        } else {
            b.append(done).append(' ').append(unit);
        }
        b.append("  ").append(fresh > 0 && Double.isFinite(rate) ? rate(rate) : "?").append('/').append('s');
        b.append("  ").append(clock(elapsed)).append(" elapsed");
        if (total > 0 && done < total) {
            b.append(", ").append(fresh > 0 && rate > 0 ? clock((total - done) / rate) : "?").append(" left");
        }
        if (!message.isEmpty()) {
            b.append("  ").append(message);
        }
        return b.toString();
    }

    /** A rate people can read, never {@code .1}: {@code 0.033}, {@code 0.5}, {@code 5.3}, {@code 16.4}, {@code 6417}. */
    static String rate(double r) {
        if (r >= 100) {
            return String.format(Locale.ROOT, "%.0f", r);
        }
        if (r >= 1) {
            return String.format(Locale.ROOT, "%.1f", r);
        }
        return String.format(Locale.ROOT, "%.2g", r);
    }

    /** {@code m:ss}, or {@code h:mm:ss} from an hour on. */
    static String clock(double seconds) {
        long s = Math.round(seconds);
        if (s >= 3600) {
            return String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60);
        }
        return String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }

    /** A phase's duration: {@code 0.31 s}, {@code 18.2 s}, {@code 2:05}. */
    static String duration(double seconds) {
        if (seconds < 1) {
            return String.format(Locale.ROOT, "%.2f s", seconds);
        }
        if (seconds < 100) {
            return String.format(Locale.ROOT, "%.1f s", seconds);
        }
        return clock(seconds);
    }
}
