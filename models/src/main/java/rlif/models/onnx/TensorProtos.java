package rlif.models.onnx;

import ai.onnx.proto.OnnxMl;
import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import rlif.models.BadInputException;
import rlif.models.tensor.DType;
import rlif.models.tensor.Tensor;

/** Converts between {@link Tensor} and ONNX {@code TensorProto} (inline data in any of its encodings). */
public final class TensorProtos {
    private TensorProtos() {}

    /** {@code t} as a TensorProto with its bytes in {@code raw_data} (little-endian, as ONNX specifies). */
    public static OnnxMl.TensorProto toProto(Tensor t) {
        return header(t).setRawData(ByteString.copyFrom(t.data().duplicate())).build();
    }

    /** Name, type and dims of {@code t}, without data. */
    public static OnnxMl.TensorProto.Builder header(Tensor t) {
        OnnxMl.TensorProto.Builder b = OnnxMl.TensorProto.newBuilder().setName(t.name()).setDataType(t.dtype().onnxCode());
        for (long d : t.shape()) {
            b.addDims(d);
        }
        return b;
    }

    /** The element type of a TensorProto, rejecting types rlif does not handle. */
    public static DType dtype(OnnxMl.TensorProto p, String where) {
        try {
            return DType.fromOnnxCode(p.getDataType());
        } catch (IllegalArgumentException e) {
            throw new BadInputException(where + ": tensor " + p.getName() + " has unsupported data type " + p.getDataType());
        }
    }

    /** The dims of a TensorProto, rejecting negative ones. */
    public static long[] dims(OnnxMl.TensorProto p, String where) {
        long[] dims = p.getDimsList().stream().mapToLong(Long::longValue).toArray();
        try {
            Tensor.elementCount(dims);
        } catch (IllegalArgumentException | ArithmeticException e) {
            throw new BadInputException(where + ": tensor " + p.getName() + " has bad dims " + p.getDimsList());
        }
        return dims;
    }

    /** A tensor whose data is inline in the proto ({@code raw_data} or the typed repeated fields). */
    public static Tensor fromInlineProto(OnnxMl.TensorProto p, String where) {
        DType t = dtype(p, where);
        long[] dims = dims(p, where);
        long n = Tensor.elementCount(dims);
        long bytes = n * t.bytes();
        if (n > Integer.MAX_VALUE / 8) {
            throw new BadInputException(where + ": inline tensor " + p.getName() + " is too large (" + n + " elements)");
        }
        ByteBuffer out;
        if (p.hasRawData()) {
            if (p.getRawData().size() != bytes) {
                throw new BadInputException(where + ": tensor " + p.getName() + " has " + p.getRawData().size()
                        + " raw bytes, its shape needs " + bytes);
            }
            out = ByteBuffer.allocate((int) bytes).order(ByteOrder.LITTLE_ENDIAN);
            p.getRawData().copyTo(out);
            out.flip();
        } else {
            out = ByteBuffer.allocate((int) bytes).order(ByteOrder.LITTLE_ENDIAN);
            int count = switch (t) {
                case F32 -> copy(p.getFloatDataList(), n, p, where, (i, v) -> out.putFloat(4 * i, v));
                case F64 -> copy(p.getDoubleDataList(), n, p, where, (i, v) -> out.putDouble(8 * i, v));
                case I64 -> copy(p.getInt64DataList(), n, p, where, (i, v) -> out.putLong(8 * i, v));
                // int32_data carries int32, and the bit patterns of 16- and 8-bit types (ONNX spec)
                case I32 -> copy(p.getInt32DataList(), n, p, where, (i, v) -> out.putInt(4 * i, v));
                case F16, BF16 -> copy(p.getInt32DataList(), n, p, where, (i, v) -> out.putShort(2 * i, (short) (int) v));
                case I8, U8, BOOL -> copy(p.getInt32DataList(), n, p, where, (i, v) -> out.put(i, (byte) (int) v));
            };
            if (count != n) {
                throw new BadInputException(where + ": tensor " + p.getName() + " has " + count + " values, its shape needs " + n);
            }
        }
        return new Tensor(p.getName(), t, dims, out);
    }

    private interface Put<T> {
        void put(int i, T v);
    }

    private static <T> int copy(List<T> values, long n, OnnxMl.TensorProto p, String where, Put<T> put) {
        if (values.size() != n) {
            return values.size();
        }
        for (int i = 0; i < values.size(); i++) {
            put.put(i, values.get(i));
        }
        return values.size();
    }
}
