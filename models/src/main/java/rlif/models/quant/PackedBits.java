package rlif.models.quant;

import java.nio.ByteBuffer;

/** Writing 4- and 8-bit unsigned values packed low bits first, as {@code MatMulNBits} stores codes and zero points. */
public final class PackedBits {
    private PackedBits() {}

    /** Sets element {@code index} of the packed array starting at byte {@code base} of {@code packed}. */
    public static void set(byte[] packed, int base, int index, int bits, int value) {
        if (bits == 8) {
            packed[base + index] = (byte) value;
        } else {
            int at = base + index / 2;
            packed[at] = (byte) (index % 2 == 0 ? (packed[at] & 0xf0) | value : (packed[at] & 0x0f) | (value << 4));
        }
    }

    /** Sets element {@code index} of the packed buffer {@code packed} (from its byte 0). */
    public static void set(ByteBuffer packed, long index, int bits, int value) {
        if (bits == 8) {
            packed.put(Math.toIntExact(index), (byte) value);
        } else {
            int at = Math.toIntExact(index / 2);
            int old = packed.get(at) & 0xff;
            packed.put(at, (byte) (index % 2 == 0 ? (old & 0xf0) | value : (old & 0x0f) | (value << 4)));
        }
    }
}
