package rlif.models.arch;

/**
 * How this project names initializers: the Hugging Face tensor name, with suffix {@code .T} when the
 * tensor is stored transposed (llama-family linear weights become {@code [in, out]} so MatMul needs no
 * Transpose node). GPT-2's Conv1D weights are already {@code [in, out]} and keep their name.
 */
public final class OnnxNames {
    /** Suffix of initializers holding the transpose of the named Hugging Face tensor. */
    public static final String TRANSPOSED = ".T";

    private OnnxNames() {}

    public static String transposed(String hfName) {
        return hfName + TRANSPOSED;
    }

    /** Whether an initializer name denotes a transposed Hugging Face tensor. */
    public static boolean isTransposed(String onnxName) {
        return onnxName.endsWith(TRANSPOSED);
    }

    /** The Hugging Face name an initializer came from (the weight a quantized part belongs to, for those). */
    public static String hfName(String onnxName) {
        for (String suffix : BLOCK_PARTS) {
            if (onnxName.endsWith(suffix)) {
                return onnxName.substring(0, onnxName.length() - suffix.length());
            }
        }
        return isTransposed(onnxName) ? onnxName.substring(0, onnxName.length() - TRANSPOSED.length()) : onnxName;
    }

    /** Suffixes of the initializers of a quantized linear weight ({@link #blocked}). */
    public static final java.util.List<String> BLOCK_PARTS =
            java.util.List.of(".q4", ".q8", ".scales", ".zero_points", ".block_offsets");

    /**
     * Initializer names of a quantized weight: {@code NAME.q4} or {@code NAME.q8} (packed codes), {@code NAME.scales},
     * {@code NAME.zero_points}, {@code NAME.block_offsets} (stored {@code [blocks, out]}).
     */
    public record Blocked(String codes, String scales, String zeroPoints, String offsets) {}

    public static Blocked blocked(String hfName, int bits) {
        return new Blocked(hfName + ".q" + bits, hfName + ".scales", hfName + ".zero_points", hfName + ".block_offsets");
    }
}
