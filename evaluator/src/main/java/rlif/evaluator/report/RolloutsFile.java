package rlif.evaluator.report;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.function.Consumer;
import rlif.models.BadInputException;

/**
 * {@code rollouts.jsonl}: rows appended and flushed one at a time, and read back on resume. A crash can
 * leave at most a torn last line (no newline, or not a whole row); {@link #repair} cuts it off.
 */
public final class RolloutsFile implements AutoCloseable {
    private final OutputStream out;

    private RolloutsFile(OutputStream out) {
        this.out = out;
    }

    /** Opens the file for appending (creating it when missing). */
    public static RolloutsFile append(Path file) {
        try {
            return new RolloutsFile(Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open " + file + " for appending: " + e.getMessage(), e);
        }
    }

    /** Writes one row and its newline in a single write, then flushes, so a finished row is never lost. */
    public void write(RolloutRow row) {
        try {
            out.write((row.toJsonLine() + "\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to rollouts.jsonl: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        try {
            out.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Reads every whole row, hands it to {@code sink}, and returns the byte length of the whole rows. A torn
     * last line is not handed over; any other line that is not a row is a {@link BadInputException}.
     */
    public static long read(Path file, Consumer<RolloutRow> sink) {
        if (!Files.exists(file)) {
            return 0;
        }
        long valid = 0;
        int lineNumber = 0;
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            RolloutRow pending = null;
            long pendingEnd = 0;
            int b;
            long pos = 0;
            while ((b = in.read()) >= 0) {
                pos++;
                if (b != '\n') {
                    line.write(b);
                    continue;
                }
                lineNumber++;
                if (pending != null) {
                    // The previous line was not the last, so it must have been a whole row.
                    sink.accept(pending);
                    valid = pendingEnd;
                    pending = null;
                }
                String text = line.toString(StandardCharsets.UTF_8);
                line.reset();
                try {
                    pending = RolloutRow.fromJson(text);
                    pendingEnd = pos;
                } catch (IllegalArgumentException e) {
                    pending = null;
                    if (!atEnd(in)) {
                        throw new BadInputException(file + " line " + lineNumber + " is not a rollout row ("
                                + e.getMessage() + "); fix or delete the file, or pass --overwrite");
                    }
                }
            }
            if (pending != null) {
                sink.accept(pending);
                valid = pendingEnd;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
        return valid;
    }

    private static boolean atEnd(InputStream in) throws IOException {
        in.mark(1);
        int next = in.read();
        in.reset();
        return next < 0;
    }

    /** Cuts the file back to its whole rows (drops a torn last line); returns how many bytes were dropped. */
    public static long repair(Path file, long validLength) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            long dropped = ch.size() - validLength;
            if (dropped > 0) {
                ch.truncate(validLength);
                ch.force(true);
            }
            return dropped;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot repair " + file + ": " + e.getMessage(), e);
        }
    }
}
