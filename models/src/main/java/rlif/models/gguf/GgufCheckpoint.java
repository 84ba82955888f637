package rlif.models.gguf;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import rlif.models.BadInputException;
import rlif.models.quant.BlockQuantized;
import rlif.models.tensor.Tensor;

/**
 * A llama-family GGUF seen as a Hugging Face checkpoint: a synthesised {@code config.json}, its tokenizer, and its
 * tensors under Hugging Face names in Hugging Face layout (dequantised to float32, Q/K rows unpermuted).
 *
 * <p>Tensors are dequantised one at a time when asked for, so memory holds the file mapping plus one tensor.
 */
public final class GgufCheckpoint implements AutoCloseable {
    /** Architectures we map, and whether llama.cpp's converter permuted their Q/K rows. */
    private static final Map<String, Boolean> ARCHITECTURES = Map.of("llama", true, "qwen2", false, "qwen3", false);
    private static final long MAX_DIM = 1L << 24;

    private final GgufFile gguf;
    private final String arch;
    private final ObjectNode config;
    private final Map<String, GgufTensorInfo> byHfName;
    private final Map<String, GgufLlamaLayout.Permutation> permutations;
    private final int heads;
    private final int kvHeads;
    private final int headDim;

    private GgufCheckpoint(GgufFile gguf) {
        this.gguf = gguf;
        this.arch = gguf.string("general.architecture").orElseThrow(() -> gguf.bad("no general.architecture"));
        Boolean permuted = ARCHITECTURES.get(arch);
        if (permuted == null) {
            throw gguf.bad("general.architecture '" + arch + "' is not supported; supported: llama, qwen2, qwen3");
        }
        Map<String, GgufTensorInfo> mapped = new LinkedHashMap<>();
        Map<String, GgufLlamaLayout.Permutation> perms = new LinkedHashMap<>();
        for (GgufTensorInfo t : gguf.tensors().values()) {
            GgufLlamaLayout.Mapping m = GgufLlamaLayout.toHf(t.name(), permuted).orElseThrow(() -> gguf.bad("tensor '"
                    + t.name() + "' has no Hugging Face counterpart in a " + arch + " model"
                    + (t.name().equals("rope_freqs.weight") ? " (Llama 3 rope frequency factors are not supported)" : "")));
            mapped.put(m.hfName(), t);
            perms.put(m.hfName(), m.permutation());
        }
        this.byHfName = Collections.unmodifiableMap(mapped);
        this.permutations = perms;
        this.heads = (int) required("attention.head_count");
        this.kvHeads = (int) gguf.integer(arch + ".attention.head_count_kv", 1, MAX_DIM).orElse(heads);
        long hidden = required("embedding_length");
        this.headDim = (int) gguf.integer(arch + ".attention.key_length", 2, MAX_DIM).orElse(hidden / heads);
        this.config = synthesiseConfig(hidden);
    }

    /** Opens {@code file}; fails on anything that is not a supported llama-family GGUF. */
    public static GgufCheckpoint open(Path file) {
        GgufFile g = GgufFile.open(file);
        try {
            return new GgufCheckpoint(g);
        } catch (RuntimeException e) {
            g.close();
            throw e;
        }
    }

    private long required(String key) {
        return gguf.integer(arch + "." + key, 1, MAX_DIM).orElseThrow(() -> gguf.bad("missing metadata " + arch + "." + key));
    }

    private ObjectNode synthesiseConfig(long hidden) {
        if (heads % kvHeads != 0) {
            throw gguf.bad(arch + ".attention.head_count " + heads + " is not a multiple of head_count_kv " + kvHeads);
        }
        if (headDim % 2 != 0) {
            throw gguf.bad("head size " + headDim + " is odd; rotary embeddings need it even");
        }
        long valueLength = gguf.integer(arch + ".attention.value_length", 1, MAX_DIM).orElse(headDim);
        long ropeDims = gguf.integer(arch + ".rope.dimension_count", 1, MAX_DIM).orElse(headDim);
        if (valueLength != headDim || ropeDims != headDim) {
            throw gguf.bad("value length " + valueLength + " / rotary dims " + ropeDims + " differ from the head size "
                    + headDim + "; only full rotary with equal key and value sizes is supported");
        }
        GgufTensorInfo embed = byHfName.get("model.embed_tokens.weight");
        if (embed == null || embed.dims().length != 2) {
            throw gguf.bad("token_embd.weight is missing or not 2-D");
        }
        long vocab = embed.shape()[0];
        if (embed.shape()[1] != hidden) {
            throw gguf.bad("token_embd.weight is " + java.util.Arrays.toString(embed.shape()) + " but "
                    + arch + ".embedding_length is " + hidden);
        }

        ObjectNode c = JsonNodeFactory.instance.objectNode();
        String modelType = arch;
        c.putArray("architectures").add(switch (arch) {
            case "qwen2" -> "Qwen2ForCausalLM";
            case "qwen3" -> "Qwen3ForCausalLM";
            default -> "LlamaForCausalLM";
        });
        c.put("model_type", modelType);
        c.put("vocab_size", vocab);
        c.put("hidden_size", hidden);
        c.put("intermediate_size", required("feed_forward_length"));
        c.put("num_hidden_layers", required("block_count"));
        c.put("num_attention_heads", heads);
        c.put("num_key_value_heads", kvHeads);
        c.put("head_dim", headDim);
        c.put("hidden_act", "silu");
        c.put("max_position_embeddings", gguf.integer(arch + ".context_length", 1, 1L << 30).orElse(2048));
        c.put("rms_norm_eps", gguf.number(arch + ".attention.layer_norm_rms_epsilon").orElseThrow(() -> gguf.bad(
                "missing metadata " + arch + ".attention.layer_norm_rms_epsilon")));
        c.put("rope_theta", gguf.number(arch + ".rope.freq_base").orElse(10000.0));
        String scaling = gguf.string(arch + ".rope.scaling.type").orElse("none");
        switch (scaling) {
            case "none" -> c.putNull("rope_scaling");
            case "linear" -> {
                ObjectNode s = c.putObject("rope_scaling");
                s.put("rope_type", "linear");
                s.put("factor", gguf.number(arch + ".rope.scaling.factor").orElseThrow(() -> gguf.bad(
                        "rope scaling is linear but " + arch + ".rope.scaling.factor is missing")));
            }
            default -> throw gguf.bad(arch + ".rope.scaling.type '" + scaling + "' is not supported (none, linear)");
        }
        c.put("tie_word_embeddings", !byHfName.containsKey("lm_head.weight"));
        boolean qBias = byHfName.containsKey("model.layers.0.self_attn.q_proj.bias");
        boolean oBias = byHfName.containsKey("model.layers.0.self_attn.o_proj.bias");
        if (!arch.equals("qwen2")) {
            c.put("attention_bias", qBias || oBias);
        }
        c.put("torch_dtype", "float32");
        putId(c, "bos_token_id", "tokenizer.ggml.bos_token_id", vocab);
        putId(c, "eos_token_id", "tokenizer.ggml.eos_token_id", vocab);
        putId(c, "pad_token_id", "tokenizer.ggml.padding_token_id", vocab);
        return c;
    }

    private void putId(ObjectNode c, String field, String key, long vocab) {
        gguf.integer(key).ifPresent(id -> {
            if (id < 0 || id >= vocab) {
                throw gguf.bad(key + " = " + id + " is outside the vocabulary of " + vocab);
            }
            c.put(field, id);
        });
    }

    public GgufFile file() {
        return gguf;
    }

    /** The Hugging Face {@code config.json} this GGUF corresponds to. */
    public ObjectNode config() {
        return config.deepCopy();
    }

    public GgufTokenizer tokenizer() {
        return GgufTokenizer.of(gguf);
    }

    /** Hugging Face names of every tensor in the file. */
    public Set<String> names() {
        return byHfName.keySet();
    }

    /** Number of elements of every tensor, for progress reporting. */
    public long elementCount(String hfName) {
        return info(hfName).elementCount();
    }

    private GgufTensorInfo info(String hfName) {
        GgufTensorInfo info = byHfName.get(hfName);
        if (info == null) {
            throw new BadInputException(gguf.path() + ": no tensor maps to " + hfName);
        }
        return info;
    }

    /** The tensor under its Hugging Face name: float32, row-major, Q/K rows in Hugging Face order. */
    public Tensor get(String hfName) {
        GgufTensorInfo info = info(hfName);
        float[] values = gguf.dequantize(info);
        long[] shape = info.shape();
        GgufLlamaLayout.Permutation p = permutations.get(hfName);
        if (p != GgufLlamaLayout.Permutation.NONE) {
            int h = p == GgufLlamaLayout.Permutation.QUERY ? heads : kvHeads;
            if (shape.length > 2 || shape[0] != (long) h * headDim) {
                throw gguf.bad("tensor '" + info.name() + "' has shape " + java.util.Arrays.toString(shape)
                        + ", expected " + h + " heads x " + headDim + " rows");
            }
            int cols = shape.length == 2 ? (int) shape[1] : 1;
            values = GgufLlamaLayout.unpermuteRows(values, h, headDim, cols);
        }
        return Tensor.ofFloats(hfName, shape, values);
    }

    /**
     * The matrix under its Hugging Face name as the quantized blocks the file stores (see {@link GgufQuantized}), rows
     * in Hugging Face order; empty for float tensors, vectors and types that cannot be kept.
     */
    public Optional<BlockQuantized> quantized(String hfName) {
        GgufTensorInfo info = info(hfName);
        long[] shape = info.shape();
        if (shape.length != 2 || !GgufQuantized.keeps(info.type())) {
            return Optional.empty();
        }
        if (shape[0] > Integer.MAX_VALUE || shape[0] * shape[1] > Integer.MAX_VALUE - 8) {
            throw gguf.bad("tensor '" + info.name() + "' has " + shape[0] * shape[1] + " elements, too many for one array");
        }
        BlockQuantized q = GgufQuantized.of(info.type(), gguf.rawData(info), (int) shape[0], (int) shape[1]);
        GgufLlamaLayout.Permutation p = permutations.get(hfName);
        if (p != GgufLlamaLayout.Permutation.NONE) {
            int h = p == GgufLlamaLayout.Permutation.QUERY ? heads : kvHeads;
            if (shape[0] != (long) h * headDim) {
                throw gguf.bad("tensor '" + info.name() + "' has shape " + java.util.Arrays.toString(shape)
                        + ", expected " + h + " heads x " + headDim + " rows");
            }
            q = q.permuteRows(GgufLlamaLayout.hfRowOrder(h, headDim));
        }
        return Optional.of(q);
    }

    @Override
    public void close() {
        gguf.close();
    }
}
