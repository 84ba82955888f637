package rlif.models.importer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import rlif.models.arch.WeightSource;
import rlif.models.gguf.GgufCheckpoint;
import rlif.models.gguf.GgufTokenizer;
import rlif.models.quant.BlockQuantized;
import rlif.models.tensor.Tensor;

/** A llama-family GGUF file as a checkpoint source: dequantised weights, synthesised config and tokenizer. */
public final class GgufSource implements CheckpointSource {
    private final Path file;
    private final GgufCheckpoint checkpoint;

    private GgufSource(Path file, GgufCheckpoint checkpoint) {
        this.file = file;
        this.checkpoint = checkpoint;
    }

    public static GgufSource open(Path file) {
        return new GgufSource(file, GgufCheckpoint.open(file));
    }

    @Override
    public String format() {
        return "gguf";
    }

    @Override
    public Path source() {
        return file;
    }

    @Override
    public ObjectNode config() {
        return checkpoint.config();
    }

    @Override
    public long elementCount() {
        return checkpoint.names().stream().mapToLong(checkpoint::elementCount).sum();
    }

    @Override
    public WeightSource weights() {
        return new WeightSource() {
            @Override
            public Tensor get(String hfName) {
                return checkpoint.get(hfName);
            }

            @Override
            public Set<String> names() {
                return checkpoint.names();
            }

            @Override
            public Optional<BlockQuantized> quantized(String hfName) {
                return checkpoint.quantized(hfName);
            }
        };
    }

    @Override
    public Map<String, byte[]> tokenizerFiles() {
        if (checkpoint.file().string("tokenizer.ggml.model").isEmpty()) {
            return Map.of(); // weights only (as rlif exports a model directory that had no tokenizer): prompt_ids still work
        }
        GgufTokenizer t = checkpoint.tokenizer();
        t.checkFits(checkpoint.config().path("vocab_size").asLong());
        ObjectMapper json = new ObjectMapper();
        Map<String, byte[]> files = new LinkedHashMap<>();
        try {
            files.put("tokenizer.json", json.writeValueAsString(t.tokenizerJson()).getBytes(StandardCharsets.UTF_8));
            files.put("tokenizer_config.json", json.writerWithDefaultPrettyPrinter().writeValueAsString(
                    t.tokenizerConfig(checkpoint.config().path("max_position_embeddings").asLong())).getBytes(StandardCharsets.UTF_8));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise a tokenizer built in memory", e);
        }
        return files;
    }

    @Override
    public void close() {
        checkpoint.close();
    }
}
