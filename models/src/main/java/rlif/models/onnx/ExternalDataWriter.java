package rlif.models.onnx;

import ai.onnx.proto.OnnxMl;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.WritableByteChannel;
import rlif.models.tensor.Tensor;

/**
 * An {@link InitializerSink} that streams large tensors into an external data file ({@code model.onnx.data})
 * and leaves small ones inline.
 *
 * <p>Tensors of at least a page are placed at 4096-byte aligned offsets so ONNX Runtime can memory-map
 * them instead of copying; smaller ones are 64-byte aligned.
 */
public final class ExternalDataWriter implements InitializerSink {
    /** Tensors smaller than this stay inline (ORT-GenAI and Optimum use the same 1 KiB cut). */
    public static final int INLINE_LIMIT = 1024;
    private static final int PAGE = 4096;

    private final WritableByteChannel out;
    private final String location;
    private long position;

    /** Writes tensor bytes sequentially to {@code out}; {@code location} is the data file's name relative to the model file. */
    public ExternalDataWriter(OutputStream out, String location) {
        this.out = Channels.newChannel(out);
        this.location = ExternalData.checkLocationSyntax(location, "external data location");
    }

    /** Bytes written so far. */
    public long size() {
        return position;
    }

    @Override
    public OnnxMl.TensorProto put(Tensor t) {
        long length = t.data().remaining();
        if (length < INLINE_LIMIT) {
            return TensorProtos.toProto(t);
        }
        long align = length >= PAGE ? PAGE : 64;
        try {
            long pad = (align - position % align) % align;
            if (pad > 0) {
                writeFully(java.nio.ByteBuffer.allocate((int) pad));
            }
            long offset = position;
            writeFully(t.data().duplicate());
            return TensorProtos.header(t)
                    .setDataLocation(OnnxMl.TensorProto.DataLocation.EXTERNAL)
                    .addExternalData(entry("location", location))
                    .addExternalData(entry("offset", Long.toString(offset)))
                    .addExternalData(entry("length", Long.toString(length)))
                    .build();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write external data " + location + ": " + e.getMessage(), e);
        }
    }

    private void writeFully(java.nio.ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            position += out.write(b);
        }
    }

    private static OnnxMl.StringStringEntryProto entry(String k, String v) {
        return OnnxMl.StringStringEntryProto.newBuilder().setKey(k).setValue(v).build();
    }
}
