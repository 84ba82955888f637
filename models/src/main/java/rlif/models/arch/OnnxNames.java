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

    /** The Hugging Face name an initializer came from. */
    public static String hfName(String onnxName) {
        return isTransposed(onnxName) ? onnxName.substring(0, onnxName.length() - TRANSPOSED.length()) : onnxName;
    }
}
