package rlif.models.exporter;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.TreeSet;
import rlif.models.BadInputException;
import rlif.models.arch.DecoderConfig;
import rlif.models.arch.LlamaConfig;
import rlif.models.arch.WeightSource;
import rlif.models.gguf.GgmlType;
import rlif.models.gguf.GgufLlamaLayout;
import rlif.models.gguf.GgufTokenizerMetadata;
import rlif.models.gguf.GgufWriter;
import rlif.models.io.AtomicFiles;
import rlif.models.io.ContainedPaths;

/**
 * Writes a llama-family model as one GGUF file the way llama.cpp's converter does: architecture {@code llama}
 * (also for Mistral), {@code qwen2} or {@code qwen3}; Q/K rows permuted for {@code llama}; matrices in the chosen
 * type (F32, F16 or Q8_0; a Q8_0 matrix whose rows are not whole blocks of 32 falls back to F16, as llama.cpp's
 * does) and norms and biases in F32; the tokenizer as {@code tokenizer.ggml.*}. What GGUF or rlif's GGUF reader
 * cannot carry (GPT-2, Llama 3 rope frequency factors, sliding windows) is refused by name.
 */
public final class GgufModelWriter {
    private static final ObjectMapper JSON = new ObjectMapper();

    private GgufModelWriter() {}

    public static void write(DecoderConfig config, WeightSource weights, Path tokenizerDir, Path out, GgmlType type) {
        if (!(config instanceof LlamaConfig c)) {
            throw new BadInputException("--format gguf writes the llama family (llama, mistral, qwen2, qwen3); "
                    + config.modelType() + " is not one (use --format hf)");
        }
        if (type != GgmlType.F32 && type != GgmlType.F16 && type != GgmlType.Q8_0) {
            throw new BadInputException("--dtype for GGUF must be f32, f16 or q8_0");
        }
        if (c.ropeScaling() != null && !c.ropeScaling().type().equals("linear")) {
            throw new BadInputException("rope scaling '" + c.ropeScaling().type() + "' is not written to GGUF (llama.cpp keeps"
                    + " it as a rope_freqs tensor rlif does not read back); use --format hf");
        }
        if (c.slidingWindow() != null) {
            throw new BadInputException("the model uses sliding-window attention (window " + c.slidingWindow().size()
                    + "), which a llama-family GGUF does not carry; use --format hf");
        }
        String arch = switch (c.modelType()) {
            case "qwen2", "qwen3" -> c.modelType();
            default -> "llama";
        };
        boolean permute = arch.equals("llama");
        GgufWriter w = new GgufWriter()
                .string("general.architecture", arch)
                .string("general.name", out.getFileName().toString())
                .u32("general.file_type", switch (type) {
                    case F16 -> 1;
                    case Q8_0 -> 7;
                    default -> 0;
                })
                .u32(arch + ".context_length", c.contextLength())
                .u32(arch + ".embedding_length", c.hiddenSize())
                .u32(arch + ".block_count", c.numLayers())
                .u32(arch + ".feed_forward_length", c.intermediateSize())
                .u32(arch + ".attention.head_count", c.numHeads())
                .u32(arch + ".attention.head_count_kv", c.numKvHeads())
                .u32(arch + ".attention.key_length", c.headDim())
                .u32(arch + ".attention.value_length", c.headDim())
                .u32(arch + ".rope.dimension_count", c.headDim())
                .f32(arch + ".rope.freq_base", c.ropeTheta())
                .f32(arch + ".attention.layer_norm_rms_epsilon", c.rmsNormEps())
                .u32(arch + ".vocab_size", c.vocabSize());
        if (c.ropeScaling() != null) {
            w.string(arch + ".rope.scaling.type", "linear").f32(arch + ".rope.scaling.factor", c.ropeScaling().factor());
        }
        tokenizer(w, c, tokenizerDir);
        for (String hf : new TreeSet<>(weights.names())) {
            String name = GgufLlamaLayout.toGguf(hf).orElseThrow(() -> new BadInputException(
                    "tensor " + hf + " has no GGUF name in a " + arch + " model"));
            var t = weights.get(hf);
            float[] v = t.toFloats();
            long[] shape = t.shape();
            boolean q = hf.endsWith("self_attn.q_proj.weight") || hf.endsWith("self_attn.q_proj.bias");
            boolean k = hf.endsWith("self_attn.k_proj.weight") || hf.endsWith("self_attn.k_proj.bias");
            if (permute && (q || k)) {
                v = GgufLlamaLayout.permuteRows(v, q ? c.numHeads() : c.numKvHeads(), c.headDim(),
                        shape.length == 2 ? (int) shape[1] : 1);
            }
            GgmlType stored = shape.length < 2 ? GgmlType.F32
                    : type == GgmlType.Q8_0 && !GgufWriter.fits(GgmlType.Q8_0, shape[1]) ? GgmlType.F16 : type;
            w.tensor(name, shape, v, stored);
        }
        AtomicFiles.write(out.toAbsolutePath().normalize(), w::write);
    }

    private static void tokenizer(GgufWriter w, LlamaConfig c, Path dir) {
        if (dir == null || !Files.exists(dir.resolve("tokenizer.json"))) {
            return; // nothing to carry; rlif imports such a GGUF without a tokenizer, like a directory without one
        }
        String where = dir.resolve("tokenizer.json").toString();
        try {
            JsonNode tok = JSON.readTree(ContainedPaths.resolve(dir, dir, "tokenizer.json", "tokenizer file", where).toFile());
            String template = null;
            if (Files.isRegularFile(dir.resolve("tokenizer_config.json"))) {
                JsonNode tc = JSON.readTree(ContainedPaths.resolve(dir, dir, "tokenizer_config.json", "tokenizer file", where).toFile());
                template = tc.path("chat_template").isTextual() ? tc.get("chat_template").asText() : null;
            }
            GgufTokenizerMetadata.write(w, tok, where, c.vocabSize(), c.bosTokenId(),
                    c.eosTokenIds().isEmpty() ? null : c.eosTokenIds().getFirst(), c.padTokenId(), template);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
