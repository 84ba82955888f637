package rlif.models.tensor;

/** Element types of weight tensors as they appear in ONNX, safetensors and GGUF (after dequantisation). */
public enum DType {
    F32(4, 1),
    F16(2, 10),
    BF16(2, 16),
    F64(8, 11),
    I8(1, 3),
    U8(1, 2),
    I32(4, 6),
    I64(8, 7),
    BOOL(1, 9);

    private final int bytes;
    private final int onnxCode;

    DType(int bytes, int onnxCode) {
        this.bytes = bytes;
        this.onnxCode = onnxCode;
    }

    /** Size of one element in bytes. */
    public int bytes() {
        return bytes;
    }

    /** The {@code TensorProto.DataType} number ONNX uses for this type. */
    public int onnxCode() {
        return onnxCode;
    }

    public static DType fromOnnxCode(int code) {
        for (DType t : values()) {
            if (t.onnxCode == code) {
                return t;
            }
        }
        throw new IllegalArgumentException("unsupported ONNX tensor data type " + code);
    }
}
