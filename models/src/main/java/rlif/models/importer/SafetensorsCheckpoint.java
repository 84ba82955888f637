package rlif.models.importer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import rlif.models.BadInputException;
import rlif.models.arch.WeightSource;
import rlif.models.safetensors.SafetensorsReader;
import rlif.models.safetensors.SafetensorsTensorInfo;
import rlif.models.tensor.Tensor;

/** A Hugging Face model folder: {@code config.json}, safetensors weights (single or sharded), tokenizer files. */
public final class SafetensorsCheckpoint implements CheckpointSource {
    private static final long MAX_CONFIG_BYTES = 16L << 20;

    private final Path dir;
    private final ObjectNode config;
    private final SafetensorsReader reader;
    private final Set<String> names;

    private SafetensorsCheckpoint(Path dir, ObjectNode config, SafetensorsReader reader) {
        this.dir = dir;
        this.config = config;
        this.reader = reader;
        Set<String> kept = new LinkedHashSet<>();
        for (String n : reader.names()) {
            // buffers some exporters save beside the weights; they are recomputed, not learnt
            if (!n.endsWith("rotary_emb.inv_freq") && !n.endsWith(".attn.masked_bias")
                    && !(n.endsWith(".attn.bias") && n.startsWith("transformer.h."))) {
                kept.add(n);
            }
        }
        this.names = Collections.unmodifiableSet(kept);
    }

    /** Opens a Hugging Face model folder. */
    public static SafetensorsCheckpoint open(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new BadInputException(dir + ": not a directory; --from safetensors expects a Hugging Face model folder");
        }
        Path configFile = dir.resolve("config.json");
        ObjectNode config;
        try {
            if (!Files.isRegularFile(configFile)) {
                throw new BadInputException(dir + ": no config.json");
            }
            rlif.models.io.ContainedPaths.confine(dir, configFile, "config file", dir.toString());
            if (Files.size(configFile) > MAX_CONFIG_BYTES) {
                throw new BadInputException(configFile + ": too large for a config");
            }
            JsonNode node = new ObjectMapper().readTree(configFile.toFile());
            if (!(node instanceof ObjectNode o)) {
                throw new BadInputException(configFile + ": not a JSON object");
            }
            config = o;
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw new BadInputException(configFile + ": not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new BadInputException(configFile + ": cannot read: " + e.getMessage());
        }
        return new SafetensorsCheckpoint(dir, config, SafetensorsReader.open(dir));
    }

    @Override
    public String format() {
        return "safetensors";
    }

    @Override
    public Path source() {
        return dir;
    }

    @Override
    public ObjectNode config() {
        return config.deepCopy();
    }

    @Override
    public long elementCount() {
        long n = 0;
        for (String name : names) {
            SafetensorsTensorInfo info = reader.info(name);
            n += info.byteSize() / info.dtype().bytes();
        }
        return n;
    }

    @Override
    public WeightSource weights() {
        return new WeightSource() {
            @Override
            public Tensor get(String hfName) {
                if (!names.contains(hfName)) {
                    throw new BadInputException(dir + ": missing tensor " + hfName);
                }
                return reader.tensor(hfName);
            }

            @Override
            public Set<String> names() {
                return names;
            }
        };
    }

    @Override
    public Map<String, byte[]> tokenizerFiles() {
        return TokenizerFiles.read(dir);
    }

    @Override
    public void close() {
        reader.close();
    }
}
