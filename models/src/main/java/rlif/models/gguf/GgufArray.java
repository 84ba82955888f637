package rlif.models.gguf;

import java.util.List;

/**
 * A GGUF metadata array. Numbers are kept in the narrowest Java array of their width (so memory follows the file
 * size): {@code byte[]} for (u)int8 and bool, {@code short[]}, {@code int[]}, {@code long[]}, {@code float[]},
 * {@code double[]}; strings as {@code List<String>}; nested arrays as {@code List<GgufArray>}.
 */
public record GgufArray(GgufValueType elementType, Object values, int size) {

    /** The elements as strings; fails if this is not a string array. */
    @SuppressWarnings("unchecked")
    public List<String> strings() {
        if (elementType != GgufValueType.STRING) {
            throw new IllegalStateException("array of " + elementType + ", not of strings");
        }
        return (List<String>) values;
    }

    /** Element {@code i} of an integer array as a long (unsigned types widened without sign). */
    public long integer(int i) {
        return switch (elementType) {
            case UINT8, BOOL -> ((byte[]) values)[i] & 0xffL;
            case INT8 -> ((byte[]) values)[i];
            case UINT16 -> ((short[]) values)[i] & 0xffffL;
            case INT16 -> ((short[]) values)[i];
            case UINT32 -> ((int[]) values)[i] & 0xffffffffL;
            case INT32 -> ((int[]) values)[i];
            case UINT64, INT64 -> ((long[]) values)[i];
            default -> throw new IllegalStateException("array of " + elementType + ", not of integers");
        };
    }

    /** Element {@code i} of a numeric array as a double. */
    public double number(int i) {
        return switch (elementType) {
            case FLOAT32 -> ((float[]) values)[i];
            case FLOAT64 -> ((double[]) values)[i];
            default -> integer(i);
        };
    }
}
