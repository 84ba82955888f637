package rlif.models.gguf;

/**
 * A GGUF tensor-table entry. {@code dims} are in ggml order (fastest-varying first, {@code ne[0]} = row length),
 * the reverse of the row-major shape PyTorch and ONNX use; {@code offset} is relative to the data section.
 */
public record GgufTensorInfo(String name, long[] dims, GgmlType type, long offset, long byteSize, long elementCount) {
    public GgufTensorInfo {
        dims = dims.clone();
    }

    @Override
    public long[] dims() {
        return dims.clone();
    }

    /** The row-major shape ({@code dims} reversed), as Hugging Face and ONNX write it. */
    public long[] shape() {
        long[] s = new long[dims.length];
        for (int i = 0; i < dims.length; i++) {
            s[i] = dims[dims.length - 1 - i];
        }
        return s;
    }
}
