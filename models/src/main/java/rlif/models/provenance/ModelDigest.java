package rlif.models.provenance;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/**
 * A content digest of a model directory: SHA-256 over every regular file under it, in sorted order of their
 * relative paths, each as its path, a NUL, its size (8 bytes, big-endian) and its bytes. Two directories get
 * the same digest exactly when they hold the same files with the same contents, whatever their dates or
 * where they live. Reads every byte once (about a second per GB).
 */
public final class ModelDigest {
    private static final int MAX_DEPTH = 4;

    private ModelDigest() {}

    /** {@code sha256:<64 hex digits>}. */
    public static String of(Path dir) {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
        List<Path> files;
        try (Stream<Path> s = Files.walk(dir, MAX_DEPTH)) {
            files = s.filter(Files::isRegularFile).map(dir::relativize).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir + " to digest it: " + e.getMessage(), e);
        }
        ByteBuffer buffer = ByteBuffer.allocateDirect(1 << 20);
        for (Path rel : files) {
            // forward slashes, so the digest does not depend on the operating system
            sha.update(rel.toString().replace('\\', '/').getBytes(StandardCharsets.UTF_8));
            sha.update((byte) 0);
            try (FileChannel ch = FileChannel.open(dir.resolve(rel), StandardOpenOption.READ)) {
                sha.update(ByteBuffer.allocate(Long.BYTES).putLong(0, ch.size()));
                while (ch.read(buffer.clear()) > 0) {
                    sha.update(buffer.flip());
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + dir.resolve(rel) + " to digest it: " + e.getMessage(), e);
            }
        }
        return "sha256:" + HexFormat.of().formatHex(sha.digest());
    }
}
