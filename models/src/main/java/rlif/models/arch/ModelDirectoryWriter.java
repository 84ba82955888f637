package rlif.models.arch;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import rlif.models.BadInputException;
import rlif.models.graph.GraphBuilder;
import rlif.models.io.AtomicFiles;
import rlif.models.io.ContainedPaths;
import rlif.models.tensor.DType;

/**
 * Writes the model directory this project produces (docs/rollout-engine.md): the Optimum layout ({@code config.json},
 * {@code generation_config.json}, {@code model.onnx} + {@code model.onnx.data}, tokenizer files) plus
 * {@code genai_config.json} for ORT-GenAI and {@code rlif.json} (architecture, dtype, provenance).
 *
 * <p>Everything is written into a hidden staging directory beside the target and published with one
 * rename ({@link AtomicFiles#publishDirectory}), so readers never see a half-written model.
 */
public final class ModelDirectoryWriter {
    /** Tokenizer and chat files copied from a source directory when present. */
    public static final List<String> TOKENIZER_FILES = List.of("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json",
            "vocab.json", "merges.txt", "tokenizer.model", "added_tokens.json", "chat_template.jinja");
    /** The decoder file name inside the directory. */
    public static final String MODEL_FILE = "model.onnx";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final DecoderConfig config;
    private final GraphBuilder decoder;
    private Path tokenizerDir;
    private final Map<String, byte[]> extraFiles = new LinkedHashMap<>();
    private final Map<String, Object> provenance = new LinkedHashMap<>();

    private ModelDirectoryWriter(DecoderConfig config, GraphBuilder decoder) {
        this.config = config;
        this.decoder = decoder;
    }

    /** A writer for {@code decoder}, a graph built by {@link Decoders#build} with a KV cache from {@code config}. */
    public static ModelDirectoryWriter of(DecoderConfig config, GraphBuilder decoder) {
        return new ModelDirectoryWriter(config, decoder);
    }

    /** Copies the {@link #TOKENIZER_FILES} (and {@code generation_config.json}) found in {@code dir}. */
    public ModelDirectoryWriter tokenizerFrom(Path dir) {
        this.tokenizerDir = dir;
        return this;
    }

    /** Adds a generated file (e.g. a {@code tokenizer.json} built from GGUF metadata); wins over copied files. */
    public ModelDirectoryWriter file(String name, byte[] content) {
        if (name.contains("/") || name.contains("\\") || name.startsWith(".")) {
            throw new IllegalArgumentException("extra file name must be a plain file name: " + name);
        }
        extraFiles.put(name, content.clone());
        return this;
    }

    /** Records where the weights came from (e.g. {@code source}, {@code format}, {@code merge}); stored in {@code rlif.json}. */
    public ModelDirectoryWriter provenance(String key, Object value) {
        provenance.put(key, value);
        return this;
    }

    /** Writes the directory {@code out} atomically, replacing any previous one. */
    public void write(Path out) {
        if (decoder.inputs().stream().noneMatch(v -> v.name().startsWith("past_key_values."))) {
            throw new IllegalArgumentException("the decoder has no KV cache inputs; build it with DecoderOptions.kvCache = true");
        }
        AtomicFiles.writeDirectory(out, stage -> {
            decoder.save(stage, MODEL_FILE);
            Files.writeString(stage.resolve("config.json"), config.configJson());
            copyTokenizer(stage);
            if (!Files.exists(stage.resolve("generation_config.json"))) {
                Files.writeString(stage.resolve("generation_config.json"), JSON.writeValueAsString(generationConfig()));
            }
            Files.writeString(stage.resolve("genai_config.json"), JSON.writeValueAsString(genaiConfig()));
            Files.writeString(stage.resolve("rlif.json"), JSON.writeValueAsString(rlifJson()));
            for (Map.Entry<String, byte[]> e : extraFiles.entrySet()) {
                Files.write(stage.resolve(e.getKey()), e.getValue());
            }
        });
    }

    private void copyTokenizer(Path stage) throws IOException {
        if (tokenizerDir == null) {
            return;
        }
        if (!Files.isDirectory(tokenizerDir)) {
            throw new BadInputException("tokenizer directory " + tokenizerDir + " does not exist");
        }
        for (String name : concat(TOKENIZER_FILES, "generation_config.json")) {
            if (Files.exists(tokenizerDir.resolve(name), java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                // The source folder is as untrusted as the checkpoint: a tokenizer.json that is a symlink to
                // some other file of the user's must not be copied into a model directory that may be shared.
                Path src = ContainedPaths.resolve(tokenizerDir, tokenizerDir, name, "tokenizer file",
                        "tokenizer directory " + tokenizerDir);
                Files.copy(src, stage.resolve(name));
            }
        }
    }

    private static List<String> concat(List<String> a, String b) {
        List<String> out = new java.util.ArrayList<>(a);
        out.add(b);
        return out;
    }

    private DType dtype() {
        return decoder.initializers().values().stream().map(t -> t.dtype()).filter(t -> t == DType.F16).findAny().orElse(DType.F32);
    }

    private ObjectNode generationConfig() {
        ObjectNode g = JSON.createObjectNode();
        if (config.bosTokenId() != null) {
            g.put("bos_token_id", config.bosTokenId());
        }
        putIds(g, "eos_token_id", config.eosTokenIds());
        if (config.padTokenId() != null) {
            g.put("pad_token_id", config.padTokenId());
        }
        return g;
    }

    /** ORT-GenAI's decoder description, in the shape of the shared fixtures. */
    private ObjectNode genaiConfig() {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode m = root.putObject("model");
        if (config.bosTokenId() != null) {
            m.put("bos_token_id", config.bosTokenId());
        }
        m.put("context_length", config.contextLength());
        ObjectNode d = m.putObject("decoder");
        d.putObject("session_options").put("log_id", "onnxruntime-genai").putArray("provider_options");
        d.put("filename", MODEL_FILE);
        d.put("head_size", config.headDim());
        d.put("hidden_size", config.hiddenSize());
        ObjectNode in = d.putObject("inputs");
        in.put("input_ids", "input_ids");
        in.put("attention_mask", "attention_mask");
        in.put("position_ids", "position_ids");
        in.put("past_key_names", "past_key_values.%d.key");
        in.put("past_value_names", "past_key_values.%d.value");
        ObjectNode out = d.putObject("outputs");
        out.put("logits", "logits");
        out.put("present_key_names", "present.%d.key");
        out.put("present_value_names", "present.%d.value");
        d.put("num_attention_heads", config.numHeads());
        d.put("num_hidden_layers", config.numLayers());
        d.put("num_key_value_heads", config.numKvHeads());
        putIds(m, "eos_token_id", config.eosTokenIds());
        Integer pad = config.padTokenId() != null ? config.padTokenId() : config.eosTokenIds().isEmpty() ? null : config.eosTokenIds().getFirst();
        if (pad != null) {
            m.put("pad_token_id", pad);
        }
        m.put("type", config.modelType());
        m.put("vocab_size", config.vocabSize());
        root.putObject("search").put("max_length", config.contextLength()).put("do_sample", false);
        return root;
    }

    private ObjectNode rlifJson() {
        ObjectNode r = JSON.createObjectNode();
        r.put("format", "rlif-decoder");
        r.put("format_version", 1);
        r.put("architecture", config.modelType());
        r.put("dtype", dtype() == DType.F16 ? "float16" : "float32");
        r.put("opset", GraphBuilder.OPSET);
        Map<String, Integer> blocked = new java.util.TreeMap<>();
        for (String name : decoder.initializers().keySet()) {
            for (int bits : new int[] {4, 8}) {
                if (name.endsWith(".q" + bits)) {
                    blocked.merge("int" + bits, 1, Integer::sum);
                }
            }
        }
        if (!blocked.isEmpty()) {
            ObjectNode q = r.putObject("quantized_linears");
            q.put("operator", GraphBuilder.MS_DOMAIN + ".MatMulNBits");
            decoder.nodes().stream().filter(n -> n.opType().equals("MatMulNBits")).findFirst()
                    .ifPresent(n -> q.put("accuracy_level", n.intAttr("accuracy_level", 0)));
            blocked.forEach(q::put);
        }
        long fused = decoder.nodes().stream().filter(n -> n.opType().equals("GroupQueryAttention")).count();
        if (fused > 0) {
            r.putObject("attention").put("operator", GraphBuilder.MS_DOMAIN + ".GroupQueryAttention").put("layers", fused);
        }
        r.put("decoder", MODEL_FILE);
        r.put("weight_names", "Hugging Face names; suffix '" + OnnxNames.TRANSPOSED + "' marks a tensor stored transposed ([in, out])");
        ObjectNode p = r.putObject("provenance");
        p.put("created", Instant.now().toString());
        for (Map.Entry<String, Object> e : provenance.entrySet()) {
            p.set(e.getKey(), JSON.valueToTree(e.getValue()));
        }
        return r;
    }

    private static void putIds(ObjectNode n, String field, List<Integer> ids) {
        if (ids.size() == 1) {
            n.put(field, ids.getFirst());
        } else if (!ids.isEmpty()) {
            ArrayNode a = n.putArray(field);
            ids.forEach(a::add);
        }
    }
}
