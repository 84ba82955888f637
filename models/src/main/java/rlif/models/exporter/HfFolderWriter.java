package rlif.models.exporter;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import rlif.models.BadInputException;
import rlif.models.arch.DecoderConfig;
import rlif.models.arch.ModelDirectoryWriter;
import rlif.models.arch.WeightSource;
import rlif.models.io.AtomicFiles;
import rlif.models.io.ContainedPaths;
import rlif.models.safetensors.SafetensorsWriter;
import rlif.models.tensor.DType;
import rlif.models.tensor.Tensor;
import rlif.models.tensor.Tensors;

/**
 * Writes a Hugging Face model folder that {@code AutoModelForCausalLM.from_pretrained} loads: the checkpoint's own
 * {@code config.json} (with {@code architectures} and {@code dtype} set), the weights under their Hugging Face
 * names and layouts in {@code model.safetensors} (or {@code model-0000i-of-0000n.safetensors} shards plus
 * {@code model.safetensors.index.json} past {@code maxShardBytes}), and the tokenizer files. Published with one
 * rename, like every model directory.
 */
public final class HfFolderWriter {
    /** transformers' own default shard size. */
    public static final long DEFAULT_SHARD_BYTES = 5_000_000_000L;
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private HfFolderWriter() {}

    /** Writes {@code weights} of {@code config} as {@code dtype} (F32, F16 or BF16) to {@code out}, tokenizer files from {@code tokenizerDir}. */
    public static void write(DecoderConfig config, WeightSource weights, Path tokenizerDir, Path out, DType dtype,
            long maxShardBytes) {
        if (dtype != DType.F32 && dtype != DType.F16 && dtype != DType.BF16) {
            throw new BadInputException("--dtype for a Hugging Face folder must be fp32, fp16 or bf16");
        }
        AtomicFiles.writeDirectory(out, stage -> {
            Files.writeString(stage.resolve("config.json"), JSON.writeValueAsString(config(config, dtype)));
            writeWeights(weights, stage, dtype, maxShardBytes);
            copyTokenizer(tokenizerDir, stage);
        });
    }

    private static ObjectNode config(DecoderConfig config, DType dtype) throws IOException {
        ObjectNode c = (ObjectNode) JSON.readTree(config.configJson());
        if (!c.has("architectures")) {
            c.putArray("architectures").add(switch (config.modelType()) {
                case "gpt2" -> "GPT2LMHeadModel";
                case "mistral" -> "MistralForCausalLM";
                case "qwen2" -> "Qwen2ForCausalLM";
                case "qwen3" -> "Qwen3ForCausalLM";
                default -> "LlamaForCausalLM";
            });
        }
        String name = switch (dtype) {
            case F16 -> "float16";
            case BF16 -> "bfloat16";
            default -> "float32";
        };
        c.remove("torch_dtype");
        c.put("dtype", name); // what the files hold, whatever the source said
        return c;
    }

    private static void writeWeights(WeightSource weights, Path stage, DType dtype, long maxShardBytes) throws IOException {
        List<List<Tensor>> shards = new ArrayList<>();
        List<Tensor> current = new ArrayList<>();
        long bytes = 0;
        for (String name : new java.util.TreeSet<>(weights.names())) {
            Tensor t = Tensors.convert(weights.get(name), dtype).renamed(name);
            long size = t.elementCount() * dtype.bytes();
            if (!current.isEmpty() && bytes + size > maxShardBytes) {
                shards.add(current);
                current = new ArrayList<>();
                bytes = 0;
            }
            current.add(t);
            bytes += size;
        }
        shards.add(current);
        Map<String, String> meta = Map.of("format", "pt");
        if (shards.size() == 1) {
            SafetensorsWriter.write(stage.resolve("model.safetensors"), shards.getFirst(), meta);
            return;
        }
        Map<String, String> weightMap = new TreeMap<>();
        long total = 0;
        for (int i = 0; i < shards.size(); i++) {
            String file = String.format("model-%05d-of-%05d.safetensors", i + 1, shards.size());
            SafetensorsWriter.write(stage.resolve(file), shards.get(i), meta);
            for (Tensor t : shards.get(i)) {
                weightMap.put(t.name(), file);
                total += t.elementCount() * dtype.bytes();
            }
        }
        Map<String, Object> index = new LinkedHashMap<>();
        index.put("metadata", Map.of("total_size", total));
        index.put("weight_map", weightMap);
        Files.writeString(stage.resolve("model.safetensors.index.json"), JSON.writeValueAsString(index));
    }

    private static void copyTokenizer(Path dir, Path stage) throws IOException {
        if (dir == null) {
            return;
        }
        List<String> names = new ArrayList<>(ModelDirectoryWriter.TOKENIZER_FILES);
        names.add("generation_config.json");
        for (String name : names) {
            if (Files.exists(dir.resolve(name), java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                Files.copy(ContainedPaths.resolve(dir, dir, name, "tokenizer file", "model directory " + dir), stage.resolve(name));
            }
        }
    }
}
