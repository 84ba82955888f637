package rlif.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/**
 * stderr for a reader that is not a terminal (a log file, a CI job, a pipe): lines redrawn with carriage returns
 * (progress bars) are dropped, every other line passes whole. A log then reads "error: ..." as its only line instead
 * of a smear of {@code \r}-separated bar frames before it.
 */
final class ProgressLineFilter extends OutputStream {
    /** A line without a newline longer than this is passed on (or, if redrawn, cut) so memory stays bounded. */
    private static final int MAX_LINE = 1 << 16;

    private final OutputStream out;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();
    private boolean redrawn;

    ProgressLineFilter(OutputStream out) {
        this.out = out;
    }

    @Override
    public synchronized void write(int b) throws IOException {
        if (b == '\r') {
            redrawn = true;
            line.reset();
        } else if (b == '\n') {
            if (!redrawn) {
                line.write('\n');
                line.writeTo(out);
                out.flush();
            }
            line.reset();
            redrawn = false;
        } else {
            line.write(b);
            if (line.size() > MAX_LINE) {
                if (!redrawn) {
                    line.writeTo(out);
                }
                line.reset();
            }
        }
    }

    @Override
    public synchronized void flush() throws IOException {
        out.flush(); // a partial line stays buffered: it may yet turn out to be a redrawn one
    }

    @Override
    public synchronized void close() throws IOException {
        if (!redrawn && line.size() > 0) {
            line.writeTo(out);
        }
        out.close();
    }
}
