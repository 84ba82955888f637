package rlif.models.safetensors;

import java.util.Optional;
import rlif.models.tensor.DType;

/** The element type names a safetensors header may use, with their sizes; only the float ones map to a {@link DType} we load. */
public enum SafetensorsDType {
    F64(8, null),
    F32(4, DType.F32),
    F16(2, DType.F16),
    BF16(2, DType.BF16),
    F8_E4M3(1, null),
    F8_E5M2(1, null),
    I64(8, null),
    U64(8, null),
    I32(4, null),
    U32(4, null),
    I16(2, null),
    U16(2, null),
    I8(1, null),
    U8(1, null),
    BOOL(1, null);

    private final int bytes;
    private final DType loadable;

    SafetensorsDType(int bytes, DType loadable) {
        this.bytes = bytes;
        this.loadable = loadable;
    }

    public int bytes() {
        return bytes;
    }

    /** The tensor type this element type loads as, or empty if rlif does not load it (weights must be F32/F16/BF16). */
    public Optional<DType> loadable() {
        return Optional.ofNullable(loadable);
    }

    /** Parses a header dtype string; empty for a name the safetensors format does not define. */
    public static Optional<SafetensorsDType> parse(String name) {
        for (SafetensorsDType t : values()) {
            if (t.name().equals(name)) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }

    /** The header name of a tensor type we write. */
    public static String nameOf(DType dtype) {
        return switch (dtype) {
            case F32 -> "F32";
            case F16 -> "F16";
            case BF16 -> "BF16";
            case F64 -> "F64";
            case I8 -> "I8";
            case U8 -> "U8";
            case I32 -> "I32";
            case I64 -> "I64";
            case BOOL -> "BOOL";
        };
    }
}
