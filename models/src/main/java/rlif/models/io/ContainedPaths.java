package rlif.models.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import rlif.models.BadInputException;

/**
 * Resolves file references found inside untrusted files so they can never leave the model directory, and the one
 * rule for symlinks in a model directory, whatever the file (decoder, external data, safetensors shard, config,
 * tokenizer): a symlink may point anywhere inside the directory; out of it only when the directory is a Hugging Face
 * cache snapshot ({@code models--org--name/snapshots/<revision>}), whose files are symlinks into that cache entry's
 * {@code blobs}.
 */
public final class ContainedPaths {
    private ContainedPaths() {}

    /**
     * {@code file} (inside model directory {@code root}) when its real path stays inside {@code root}, or inside
     * the cache's {@code blobs} for a Hugging Face snapshot; otherwise a {@link BadInputException} naming it.
     */
    public static Path confine(Path root, Path file, String what, String where) {
        try {
            Path real = file.toRealPath();
            Path realRoot = root.toRealPath();
            if (real.startsWith(realRoot)) {
                return file;
            }
            Path blobs = snapshotBlobs(realRoot);
            if (blobs != null && real.startsWith(blobs)) {
                return file;
            }
            throw new BadInputException(where + ": " + what + " '" + file.getFileName() + "' leaves the model directory "
                    + root + " (its real path " + real + " is outside the model directory"
                    + (blobs != null ? " and outside the cache's blobs" : "") + ")");
        } catch (IOException e) {
            throw new BadInputException(where + ": cannot open " + what + " " + file + ": " + e.getMessage(), e);
        }
    }

    /** For a real path {@code .../models--x/snapshots/<rev>}, the real {@code .../models--x/blobs}; else null. */
    static Path snapshotBlobs(Path realRoot) throws IOException {
        Path snapshots = realRoot.getParent();
        Path entry = snapshots == null ? null : snapshots.getParent();
        if (entry == null || !snapshots.getFileName().toString().equals("snapshots")
                || !entry.getFileName().toString().matches("(models|datasets|spaces)--.+")) {
            return null;
        }
        Path blobs = entry.resolve("blobs");
        return Files.isDirectory(blobs) ? blobs.toRealPath() : null;
    }

    /**
     * The regular file {@code location} names relative to {@code base}, refusing absolute paths, {@code ..}
     * segments, missing files, and anything whose real path (symlinks resolved) is outside {@code root}.
     * {@code what} names the reference in messages (e.g. "external data location"), {@code where} its source.
     * Returns the normalised (not symlink-resolved) path, so it stays comparable with {@code root}.
     */
    public static Path resolve(Path root, Path base, String location, String what, String where) {
        checkSyntax(location, what, where);
        Path file = base.resolve(location.replace('\\', '/')).normalize();
        if (!Files.isRegularFile(file)) {
            throw new BadInputException(where + ": " + what + " '" + location + "' is missing (no file " + file + ")");
        }
        return confine(root, file, what, where);
    }

    /** Rejects empty, absolute and {@code ..}-containing references before touching the file system. */
    public static void checkSyntax(String location, String what, String where) {
        if (location.isEmpty() || location.indexOf('\0') >= 0) {
            throw new BadInputException(where + ": empty or malformed " + what);
        }
        String slashed = location.replace('\\', '/');
        boolean absolute;
        try {
            absolute = slashed.startsWith("/") || slashed.matches("^[A-Za-z]:.*") || Path.of(location).isAbsolute();
        } catch (InvalidPathException e) {
            throw new BadInputException(where + ": " + what + " '" + location + "' is not a valid path");
        }
        if (absolute) {
            throw new BadInputException(where + ": " + what + " '" + location
                    + "' is an absolute path; it must be relative to the model directory");
        }
        for (String part : slashed.split("/")) {
            if (part.equals("..")) {
                throw new BadInputException(where + ": " + what + " '" + location
                        + "' contains '..'; it must stay inside the model directory");
            }
        }
    }
}
