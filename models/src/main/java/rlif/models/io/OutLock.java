package rlif.models.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Set;
import rlif.models.BadInputException;

/**
 * One run per {@code --out} at a time: an exclusive OS file lock ({@link FileChannel#tryLock}) on the hidden file
 * {@code .<name>.rlif-lock} beside {@code --out}, holding the owner's pid and command. The OS drops the lock when the
 * process ends however it ends, so a SIGKILLed run never blocks its own resume; a second run while the first lives
 * fails at once, naming it. The file sits beside the output rather than in it because several commands publish their
 * output by renaming a staged directory over it, and because a run directory's contents are the run's own.
 *
 * <p>Also the one place that says what an {@code --out} may be: not empty, in a directory rlif can write.
 */
public final class OutLock implements AutoCloseable {
    private static final String SUFFIX = ".rlif-lock";

    private final FileChannel channel;
    private final FileLock lock;

    private OutLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /** Locks {@code out} (a directory or file, existing or not) for {@code command}, or throws naming the holder. */
    public static OutLock acquire(Path out, String command) {
        Path file = lockFile(out);
        FileChannel ch = null;
        try {
            Files.createDirectories(file.getParent());
            ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            FileLock l;
            try {
                l = ch.tryLock();
            } catch (OverlappingFileLockException e) {
                l = null; // this JVM holds it already
            }
            if (l == null) {
                String holder = new String(Files.readAllBytes(file), StandardCharsets.UTF_8).strip();
                ch.close();
                throw new BadInputException("--out " + out + " is in use by another rlif run (" + (holder.isEmpty() ? "starting" : holder)
                        + "); wait for it to end or choose another --out");
            }
            ch.truncate(0);
            ch.write(ByteBuffer.wrap(("pid " + ProcessHandle.current().pid() + ", rlif " + command + ", since "
                    + Instant.now()).getBytes(StandardCharsets.UTF_8)), 0);
            ch.force(false);
            return new OutLock(ch, l);
        } catch (FileAlreadyExistsException e) {
            close(ch);
            throw new BadInputException("cannot create --out " + out + ": " + e.getFile() + " is a file, not a directory",
                    e);
        } catch (UnsupportedOperationException e) {
            close(ch);
            throw new BadInputException("--out " + out + " cannot be written (read-only file system)", e);
        } catch (FileSystemException e) {
            close(ch);
            throw new BadInputException("--out " + out + " cannot be written (" + reason(e) + ")", e);
        } catch (IOException e) {
            close(ch);
            throw new BadInputException("--out " + out + " cannot be written: " + e.getMessage(), e);
        }
    }

    /** {@code .<name>.rlif-lock} beside {@code out}, with symlinks in the existing part of the path resolved. */
    static Path lockFile(Path out) {
        String text = out.toString();
        if (text.isBlank()) {
            throw new BadInputException("--out is empty; name a directory (it would otherwise write into the current one)");
        }
        Path abs = out.toAbsolutePath().normalize();
        if (abs.getParent() == null) {
            throw new BadInputException("--out " + out + " is the file system root; name a directory below it");
        }
        Path existing = abs;
        Path rest = Path.of("");
        while (existing != null && !Files.exists(existing)) {
            rest = existing.getFileName().resolve(rest);
            existing = existing.getParent();
        }
        if (existing != null && existing != abs && !Files.isDirectory(existing)) {
            throw new BadInputException("cannot create --out " + out + ": " + existing + " is a file");
        }
        try {
            Path real = existing == null ? abs : existing.toRealPath().resolve(rest).normalize();
            if (real.getParent() == null) {
                throw new BadInputException("--out " + out + " is the file system root; name a directory below it");
            }
            return real.getParent().resolve("." + real.getFileName() + SUFFIX);
        } catch (IOException e) {
            throw new BadInputException("--out " + out + " cannot be resolved: " + e.getMessage(), e);
        }
    }

    /**
     * Refuses an {@code out} that exists and is not a directory, or is a non-empty directory holding none of
     * {@code runFiles} (the files an earlier run of {@code command} leaves): a model directory or a home folder is
     * not a place to write results into.
     */
    public static void requireRunDirectory(Path out, String command, Set<String> runFiles) {
        if (Files.exists(out) && !Files.isDirectory(out)) {
            throw new BadInputException("--out " + out + " is a file; expected a directory (new, empty, or from an earlier rlif "
                    + command + ")");
        }
        if (!Files.isDirectory(out)) {
            return;
        }
        try (var s = Files.list(out)) {
            var names = s.map(p -> p.getFileName().toString()).toList();
            if (!names.isEmpty() && names.stream().noneMatch(runFiles::contains)) {
                throw new BadInputException("--out " + out + " is not empty and holds no earlier rlif " + command + " run (it has "
                        + String.join(", ", names.stream().sorted().limit(4).toList()) + (names.size() > 4 ? ", ..." : "")
                        + "); choose a new or empty directory");
            }
        } catch (IOException e) {
            throw new BadInputException("--out " + out + " cannot be read: " + e.getMessage(), e);
        }
    }

    /** Refuses an existing non-empty {@code out} unless {@code overwrite}, for outputs that replace what is there. */
    public static void requireNewUnlessOverwrite(Path out, boolean overwrite) {
        if (overwrite || !Files.exists(out)) {
            return;
        }
        boolean empty = false;
        if (Files.isDirectory(out)) {
            try (var s = Files.list(out)) {
                empty = s.findAny().isEmpty();
            } catch (IOException e) {
                throw new BadInputException("--out " + out + " cannot be read: " + e.getMessage(), e);
            }
        }
        if (!empty) {
            throw new BadInputException("--out " + out + " already exists; pass --overwrite to replace it");
        }
    }

    /** Why the file system said no, in words (an exception's class name is no message for a user). */
    private static String reason(FileSystemException e) {
        if (e.getReason() != null) {
            return e.getReason();
        }
        if (e instanceof java.nio.file.AccessDeniedException) {
            return "permission denied: " + e.getFile();
        }
        if (e instanceof java.nio.file.NotDirectoryException) {
            return "not a directory: " + e.getFile();
        }
        return "file system error at " + e.getFile();
    }

    private static void close(FileChannel ch) {
        if (ch != null) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // the original failure is the one to report
            }
        }
    }

    @Override
    public void close() {
        try {
            lock.release();
            channel.close();
        } catch (IOException ignored) {
            // the OS releases the lock with the process anyway
        }
    }
}
