package rlif.models.io;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** Writes whole files and directories so a crash leaves either the old content or the new, never a torn one. */
public final class AtomicFiles {
    private AtomicFiles() {}

    /** Something that writes a file's bytes to a stream. */
    @FunctionalInterface
    public interface Writer {
        void write(OutputStream out) throws IOException;
    }

    /** Writes {@code target} through a temp file in the same directory, fsyncs it, then renames it over the target. */
    public static void write(Path target, Writer writer) {
        Path dir = target.toAbsolutePath().getParent();
        Path tmp = null;
        try {
            Files.createDirectories(dir);
            tmp = Files.createTempFile(dir, "." + target.getFileName() + ".", ".tmp");
            readableLikeANormalFile(tmp, target);
            try (var channel = java.nio.channels.FileChannel.open(tmp, java.nio.file.StandardOpenOption.WRITE);
                    OutputStream out = java.nio.channels.Channels.newOutputStream(channel)) {
                writer.write(out);
                out.flush();
                channel.force(true);
            }
            move(tmp, target);
            tmp = null;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + target + ": " + e.getMessage(), e);
        } finally {
            deleteQuietly(tmp);
        }
    }

    /** Writes a UTF-8 string atomically. */
    public static void writeString(Path target, String content) {
        write(target, out -> out.write(content.getBytes(StandardCharsets.UTF_8)));
    }

    /** Fills a staging directory. */
    public interface DirectoryWriter {
        void write(Path stage) throws IOException;
    }

    /**
     * Writes the directory {@code target} atomically: {@code writer} fills a hidden staging directory beside it,
     * which is then published with {@link #publishDirectory} (or deleted when the writer fails).
     */
    public static void writeDirectory(Path target, DirectoryWriter writer) {
        Path abs = target.toAbsolutePath().normalize();
        Path stage = abs.resolveSibling("." + abs.getFileName() + ".staging-" + System.nanoTime());
        try {
            Files.createDirectories(stage);
            writer.write(stage);
            publishDirectory(stage, abs);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + abs + ": " + e.getMessage(), e);
        } finally {
            try {
                deleteRecursively(stage);
            } catch (IOException ignored) {
                // a leftover hidden staging directory is harmless; the write's own outcome matters more
            }
        }
    }

    /**
     * Publishes a fully written directory {@code staged} as {@code target} with one rename. Any previous
     * {@code target} is moved aside first and deleted only after the new one is in place.
     */
    public static void publishDirectory(Path staged, Path target) {
        try {
            Path old = null;
            if (Files.exists(target)) {
                old = target.resolveSibling("." + target.getFileName() + ".old-" + System.nanoTime());
                move(target, old);
            }
            move(staged, target);
            if (old != null) {
                deleteRecursively(old);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot publish " + target + ": " + e.getMessage(), e);
        }
    }

    /**
     * Temp files are created owner-only (0600); a result file should keep the target's permissions, or get
     * the usual 0644, so that replacing it atomically does not also hide it from other users.
     */
    private static void readableLikeANormalFile(Path tmp, Path target) throws IOException {
        if (!tmp.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            return;
        }
        var perms = Files.exists(target)
                ? Files.getPosixFilePermissions(target)
                : java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--");
        Files.setPosixFilePermissions(tmp, perms);
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Deletes a file tree; used for staged or superseded directories only. */
    public static void deleteRecursively(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (var paths = Files.walk(root)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    private static void deleteQuietly(Path p) {
        if (p != null) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException ignored) {
                // the temp file is hidden and harmless; the original error matters more
            }
        }
    }
}
