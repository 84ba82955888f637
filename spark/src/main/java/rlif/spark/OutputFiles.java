package rlif.spark;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import rlif.models.io.AtomicFiles;

/**
 * The files of {@code --out} the driver writes (summaries, the comparison), on any Hadoop file system: written
 * to a temporary name beside the target and renamed into place, through {@link AtomicFiles} when local.
 */
final class OutputFiles {
    private final Path root;
    private final FileSystem fs;
    private final boolean local;

    OutputFiles(String out, Configuration hadoop) {
        this.root = new Path(out);
        try {
            this.fs = root.getFileSystem(hadoop);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open --out " + out + ": " + e.getMessage(), e);
        }
        this.local = SparkData.isLocal(out);
    }

    /** {@code --out} itself, qualified. */
    String root() {
        return fs.makeQualified(root).toString();
    }

    /** A path under {@code --out}, qualified, as Spark's readers and writers take it. */
    String resolve(String relative) {
        return fs.makeQualified(new Path(root, relative)).toString();
    }

    boolean isFile() {
        try {
            return fs.exists(root) && !fs.getFileStatus(root).isDirectory();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    boolean exists(String relative) {
        try {
            return fs.exists(new Path(root, relative));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The file's text, or null when it does not exist. */
    String read(String relative) {
        Path p = new Path(root, relative);
        try {
            if (!fs.exists(p)) {
                return null;
            }
            try (InputStream in = fs.open(p)) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + p + ": " + e.getMessage(), e);
        }
    }

    void write(String relative, String text) {
        Path target = new Path(root, relative);
        if (local) {
            java.nio.file.Path file = java.nio.file.Path.of(fs.makeQualified(target).toUri());
            try {
                Files.createDirectories(file.getParent());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create " + file.getParent() + ": " + e.getMessage(), e);
            }
            AtomicFiles.writeString(file, text);
            return;
        }
        Path staging = new Path(target.getParent(), "." + target.getName() + ".tmp");
        try {
            try (OutputStream o = fs.create(staging, true)) {
                o.write(text.getBytes(StandardCharsets.UTF_8));
            }
            fs.delete(target, false);
            if (!fs.rename(staging, target)) {
                throw new IOException("rename of " + staging + " failed");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + target + ": " + e.getMessage(), e);
        }
    }
}
