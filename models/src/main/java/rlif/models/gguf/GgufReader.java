package rlif.models.gguf;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import rlif.models.BadInputException;

/**
 * Sequential little-endian reads of a GGUF header through a small buffer, every read checked against the file
 * size first, so a declared length can never make us read past the end or allocate more than the file holds.
 */
final class GgufReader {
    private static final int BUFFER = 1 << 16;

    private final FileChannel channel;
    private final Path file;
    private final long size;
    private final ByteBuffer buf = ByteBuffer.allocate(BUFFER).order(ByteOrder.LITTLE_ENDIAN);
    private long bufStart;
    private long pos;

    GgufReader(FileChannel channel, Path file, long size) {
        this.channel = channel;
        this.file = file;
        this.size = size;
        buf.limit(0);
    }

    long position() {
        return pos;
    }

    long remaining() {
        return size - pos;
    }

    BadInputException bad(String what) {
        return new BadInputException(file + ": " + what);
    }

    /** Makes {@code n <= BUFFER} bytes at {@code pos} available in the buffer, or fails naming {@code what}. */
    private void need(int n, String what) {
        if (remaining() < n) {
            throw bad(what + " at byte " + pos + " runs past the end of the file (" + size + " bytes)");
        }
        long offsetInBuf = pos - bufStart;
        if (offsetInBuf >= 0 && offsetInBuf + n <= buf.limit()) {
            return;
        }
        buf.clear();
        try {
            long p = pos;
            while (buf.position() < n) {
                int r = channel.read(buf, p);
                if (r < 0) {
                    throw bad(what + " at byte " + pos + ": file ended early");
                }
                p += r;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
        buf.flip();
        bufStart = pos;
    }

    private int at() {
        return (int) (pos - bufStart);
    }

    byte u8(String what) {
        need(1, what);
        byte v = buf.get(at());
        pos += 1;
        return v;
    }

    short u16(String what) {
        need(2, what);
        short v = buf.getShort(at());
        pos += 2;
        return v;
    }

    int u32(String what) {
        need(4, what);
        int v = buf.getInt(at());
        pos += 4;
        return v;
    }

    long u64(String what) {
        need(8, what);
        long v = buf.getLong(at());
        pos += 8;
        return v;
    }

    float f32(String what) {
        return Float.intBitsToFloat(u32(what));
    }

    double f64(String what) {
        return Double.longBitsToDouble(u64(what));
    }

    /** A GGUF string: u64 byte length, then UTF-8 bytes (invalid sequences become U+FFFD). */
    String string(String what) {
        long len = u64(what + " length");
        if (len < 0 || len > remaining() || len > Integer.MAX_VALUE - 8) {
            throw bad(what + " declares " + Long.toUnsignedString(len) + " bytes at byte " + (pos - 8) + ", but only "
                    + remaining() + " remain");
        }
        byte[] bytes = new byte[(int) len];
        int done = 0;
        while (done < bytes.length) {
            int chunk = Math.min(BUFFER, bytes.length - done);
            need(chunk, what);
            buf.get(at(), bytes, done, chunk);
            pos += chunk;
            done += chunk;
        }
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
