package rlif.models.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import rlif.models.BadInputException;

/** Resolves file references found inside untrusted files so they can never leave the model directory. */
public final class ContainedPaths {
    private ContainedPaths() {}

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
        try {
            Path real = file.toRealPath();
            if (!real.startsWith(root.toRealPath())) {
                throw new BadInputException(where + ": " + what + " '" + location + "' leaves the model directory "
                        + root + " (its real path " + real + " is outside the model directory)");
            }
            return file;
        } catch (IOException e) {
            throw new BadInputException(where + ": cannot open " + what + " '" + location + "': " + e.getMessage(), e);
        }
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
