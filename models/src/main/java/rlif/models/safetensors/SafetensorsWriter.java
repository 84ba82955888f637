package rlif.models.safetensors;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Collection;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import rlif.models.io.AtomicFiles;
import rlif.models.tensor.Tensor;

/** Writes tensors to one {@code .safetensors} file (atomically), e.g. a PEFT {@code adapter_model.safetensors}. */
public final class SafetensorsWriter {
    private SafetensorsWriter() {}

    /** Writes {@code tensors} in the given order, with an optional {@code __metadata__} string map. */
    public static void write(Path file, Collection<Tensor> tensors, Map<String, String> metadata) {
        byte[] header = header(tensors, metadata);
        AtomicFiles.write(file, out -> {
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, header.length);
            out.write(len.array());
            out.write(header);
            WritableByteChannel ch = Channels.newChannel(out);
            for (Tensor t : tensors) {
                ByteBuffer data = t.data().duplicate();
                while (data.hasRemaining()) {
                    ch.write(data);
                }
            }
        });
    }

    /** The JSON header, padded with spaces to a multiple of 8 bytes so the data section stays aligned. */
    static byte[] header(Collection<Tensor> tensors, Map<String, String> metadata) {
        ByteArrayOutputStream json = new ByteArrayOutputStream();
        Set<String> seen = new HashSet<>();
        try (JsonGenerator g = new JsonFactory().createGenerator(json)) {
            g.writeStartObject();
            if (metadata != null && !metadata.isEmpty()) {
                g.writeObjectFieldStart("__metadata__");
                for (Map.Entry<String, String> e : metadata.entrySet()) {
                    g.writeStringField(e.getKey(), e.getValue());
                }
                g.writeEndObject();
            }
            long offset = 0;
            for (Tensor t : tensors) {
                if (!seen.add(t.name())) {
                    throw new IllegalArgumentException("tensor name " + t.name() + " given twice");
                }
                long size = t.data().remaining();
                g.writeObjectFieldStart(t.name());
                g.writeStringField("dtype", SafetensorsDType.nameOf(t.dtype()));
                g.writeArrayFieldStart("shape");
                for (long d : t.shape()) {
                    g.writeNumber(d);
                }
                g.writeEndArray();
                g.writeArrayFieldStart("data_offsets");
                g.writeNumber(offset);
                g.writeNumber(offset + size);
                g.writeEndArray();
                g.writeEndObject();
                offset += size;
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        int pad = (8 - json.size() % 8) % 8;
        json.writeBytes(" ".repeat(pad).getBytes(StandardCharsets.US_ASCII));
        return json.toByteArray();
    }
}
