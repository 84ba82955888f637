package rlif.models.importer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;
import rlif.models.BadInputException;
import rlif.models.arch.DecoderConfig;
import rlif.models.arch.DecoderOptions;
import rlif.models.arch.Decoders;
import rlif.models.arch.HfConfig;
import rlif.models.arch.LinearWeights;
import rlif.models.arch.ModelDirectoryWriter;
import rlif.models.arch.WeightSource;
import rlif.models.graph.GraphBuilder;
import rlif.models.tensor.DType;
import rlif.models.tensor.Tensor;

/** Turns a {@link CheckpointSource} into this project's model directory (ONNX decoder with KV cache, configs, tokenizer). */
public final class ModelImporter {
    /** What an import produced. */
    public record Result(Path directory, DecoderConfig config, long parameters) {}

    private ModelImporter() {}

    /** Opens {@code source} as {@code format} (safetensors, gguf, onnx). */
    public static CheckpointSource open(String format, Path source) {
        if (!Files.exists(source)) {
            throw new BadInputException(source + ": no such file or directory");
        }
        return switch (format) {
            case "safetensors" -> SafetensorsCheckpoint.open(source);
            case "gguf" -> GgufSource.open(source);
            case "onnx" -> OrtGenAiCheckpoint.open(source);
            default -> throw new BadInputException("--from " + format + " is not a known format (safetensors, gguf, onnx)");
        };
    }

    /** {@link #importModel(CheckpointSource, Path, ImportDtype, LongConsumer)} with float weights of {@code dtype}. */
    public static Result importModel(CheckpointSource source, Path out, DType dtype, LongConsumer progress) {
        return importModel(source, out, dtype == DType.F16 ? ImportDtype.FP16 : ImportDtype.FP32, progress);
    }

    /**
     * Builds the decoder graph from {@code source} as {@code dtype} says (activation type, float or quantized linears)
     * and writes it, with configs and tokenizer, to {@code out} atomically. {@code progress} receives the number of
     * weight elements converted so far (up to {@link CheckpointSource#elementCount()}).
     */
    public static Result importModel(CheckpointSource source, Path out, ImportDtype dtype, LongConsumer progress) {
        return importModel(source, out, dtype, dtype.linears(), progress);
    }

    /** As above, with the linear weights stored as {@code linears} says (e.g. another accuracy level). */
    public static Result importModel(CheckpointSource source, Path out, ImportDtype dtype, LinearWeights linears,
            LongConsumer progress) {
        String where = source.source() + " (config.json" + (source.format().equals("safetensors") ? "" : ", synthesised")
                + ")";
        DecoderConfig config = HfConfig.parse(source.config().toString(), where);
        Map<String, byte[]> tokenizer = source.tokenizerFiles();
        AtomicLong done = new AtomicLong();
        WeightSource counted = counting(source.weights(), done, progress);
        DecoderOptions options = new DecoderOptions(dtype.activations(), true, rlif.models.arch.LayerHooks.DEFAULT, linears);
        // A quantized decoder already needs ONNX Runtime's contrib ops (MatMulNBits); its fused attention is the
        // other half of ONNX Runtime GenAI's int4 speed (docs/quantization.md).
        GraphBuilder decoder = Decoders.build(config, counted, linears.dense() ? options : options.withGroupQueryAttention());
        ModelDirectoryWriter writer = ModelDirectoryWriter.of(config, decoder)
                .provenance("imported_from", source.source().toAbsolutePath().toString())
                .provenance("source_format", source.format())
                .provenance("tool", "rlif import");
        if (!linears.dense()) {
            // A model directory must say whether its blocks are the source's values or a re-quantization of them:
            // the two layouts' signals differ by tenths of a nat (docs/quantization.md).
            writer.provenance("quantized_blocks", linears.foldsOffsets()
                    ? "source offsets and wider head re-quantized to integer zero points (ONNX Runtime GenAI's layout)"
                    : "source blocks exact");
        }
        tokenizer.forEach(writer::file);
        writer.write(out);
        return new Result(out, config, done.get());
    }

    /** A view of {@code weights} that reports converted elements as the graph builder pulls tensors. */
    private static WeightSource counting(WeightSource weights, AtomicLong done, LongConsumer progress) {
        Set<String> counted = new java.util.HashSet<>(); // a tied embedding is read twice: as itself and as the head
        return new WeightSource() {
            @Override
            public Tensor get(String hfName) {
                Tensor t = weights.get(hfName);
                if (counted.add(hfName)) {
                    progress.accept(done.addAndGet(t.elementCount()));
                }
                return t;
            }

            @Override
            public Set<String> names() {
                return weights.names();
            }

            @Override
            public java.util.Optional<rlif.models.quant.BlockQuantized> quantized(String hfName) {
                java.util.Optional<rlif.models.quant.BlockQuantized> q = weights.quantized(hfName);
                if (q.isPresent() && counted.add(hfName)) {
                    progress.accept(done.addAndGet((long) q.get().rows() * q.get().cols()));
                }
                return q;
            }
        };
    }
}
