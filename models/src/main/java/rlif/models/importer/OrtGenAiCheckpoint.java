package rlif.models.importer;

import ai.onnx.proto.OnnxMl;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import rlif.models.BadInputException;
import rlif.models.arch.WeightSource;
import rlif.models.onnx.OnnxModel;
import rlif.models.tensor.Tensor;
import rlif.models.tensor.Tensors;

/**
 * The weights of a llama model exported by ONNX Runtime GenAI's model builder, recognised from its graph and
 * renamed to Hugging Face names.
 *
 * <p>The builder names initializers after the module path ({@code model.layers.N.attn.q_proj.MatMul.weight},
 * stored {@code [in, out]} for MatMul, so transposed back here), keeps norms as {@code SimplifiedLayerNormalization}
 * weights (the last as {@code model.layers.L.final_norm_layernorm.weight}) and precomputes the rotary tables
 * {@code cos_cache}/{@code sin_cache} {@code [positions, headDim/2]}. What the config needs and the weights do not
 * say (heads, head size, special ids) comes from {@code genai_config.json}; the norm epsilon from the norm nodes;
 * rope theta is recovered from the rotary tables and verified against them.
 */
public final class OrtGenAiCheckpoint implements CheckpointSource {
    private static final Pattern LAYER = Pattern.compile(
            "model\\.layers\\.(\\d{1,5})\\.(attn\\.(q_proj|k_proj|v_proj|o_proj)|mlp\\.(gate_proj|up_proj|down_proj))"
                    + "\\.(MatMul\\.weight|Add\\.bias)");
    private static final Pattern NORM = Pattern.compile(
            "model\\.layers\\.(\\d{1,5})\\.(input_layernorm|post_attention_layernorm|final_norm_layernorm)\\.weight");

    private final Path dir;
    private final OnnxModel model;
    private final Map<String, String> hfToOnnx = new LinkedHashMap<>();
    private final Map<String, OnnxMl.TensorProto> protos = new LinkedHashMap<>();
    private final ObjectNode config;
    private final long elementCount;

    private OrtGenAiCheckpoint(Path dir, OnnxModel model, JsonNode genai) {
        this.dir = dir;
        this.model = model;
        String where = model.file().toString();
        long elements = 0;
        int layers = 0;
        for (OnnxMl.TensorProto p : model.proto().getGraph().getInitializerList()) {
            protos.put(p.getName(), p);
            String hf = hfName(p.getName(), where);
            if (hf != null) {
                hfToOnnx.put(hf, p.getName());
                long n = 1;
                for (long d : p.getDimsList()) {
                    n = Math.multiplyExact(n, Math.max(d, 0));
                }
                elements += n;
                Matcher m = LAYER.matcher(p.getName());
                if (m.matches()) {
                    layers = Math.max(layers, Integer.parseInt(m.group(1)) + 1);
                }
            }
        }
        this.elementCount = elements;
        this.config = synthesiseConfig(genai, layers, where);
    }

    /** Opens the ORT-GenAI model folder {@code dir} (with {@code genai_config.json}). */
    public static OrtGenAiCheckpoint open(Path dir) {
        Path genaiFile = dir.resolve("genai_config.json");
        if (!Files.isRegularFile(genaiFile)) {
            throw new BadInputException(dir + ": no genai_config.json; --from onnx expects an ONNX Runtime GenAI "
                    + "model folder");
        }
        JsonNode genai;
        try {
            genai = new ObjectMapper().readTree(genaiFile.toFile());
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw new BadInputException(genaiFile + ": not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new BadInputException(genaiFile + ": cannot read: " + e.getMessage());
        }
        JsonNode m = genai.path("model");
        String type = m.path("type").asText("");
        if (!type.equals("llama")) {
            throw new BadInputException(genaiFile + ": model.type is '" + type + "'; --from onnx imports llama exports");
        }
        String fileName = m.path("decoder").path("filename").asText("model.onnx");
        Path modelFile = rlif.models.onnx.ExternalData.resolve(dir, fileName, genaiFile + ": decoder.filename");
        OnnxModel model = OnnxModel.read(modelFile);
        try {
            model.checkExternalData();
            return new OrtGenAiCheckpoint(dir, model, m);
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
    }

    /** The Hugging Face name of an initializer, null for the rotary tables, an error for anything unknown. */
    private static String hfName(String onnx, String where) {
        if (onnx.equals("cos_cache") || onnx.equals("sin_cache")) {
            return null;
        }
        if (onnx.equals("model.embed_tokens.weight")) {
            return onnx;
        }
        if (onnx.equals("lm_head.MatMul.weight")) {
            return "lm_head.weight";
        }
        Matcher m = LAYER.matcher(onnx);
        if (m.matches()) {
            String module = m.group(2).replace("attn.", "self_attn.");
            return "model.layers." + Integer.parseInt(m.group(1)) + "." + module
                    + (m.group(5).equals("MatMul.weight") ? ".weight" : ".bias");
        }
        Matcher n = NORM.matcher(onnx);
        if (n.matches()) {
            return n.group(2).equals("final_norm_layernorm") ? "model.norm.weight"
                    : "model.layers." + Integer.parseInt(n.group(1)) + "." + n.group(2) + ".weight";
        }
        throw new BadInputException(where + ": initializer '" + onnx + "' is not part of a float ORT-GenAI llama "
                + "export (quantised MatMulNBits and fused qkv exports are not supported)");
    }

    private ObjectNode synthesiseConfig(JsonNode genai, int layers, String where) {
        JsonNode dec = genai.path("decoder");
        int heads = positive(dec, "num_attention_heads", where);
        int kvHeads = dec.has("num_key_value_heads") ? positive(dec, "num_key_value_heads", where) : heads;
        int headDim = positive(dec, "head_size", where);
        int declaredLayers = positive(dec, "num_hidden_layers", where);
        if (declaredLayers != layers) {
            throw new BadInputException(where + ": genai_config.json says " + declaredLayers + " layers, the graph has "
                    + layers);
        }
        long[] embed = dims("model.embed_tokens.weight", where);
        long[] up = dims("model.layers.0.mlp.up_proj.MatMul.weight", where);
        ObjectNode c = JsonNodeFactory.instance.objectNode();
        c.putArray("architectures").add("LlamaForCausalLM");
        c.put("model_type", "llama");
        c.put("vocab_size", embed[0]);
        c.put("hidden_size", embed[1]);
        c.put("intermediate_size", up[1]);
        c.put("num_hidden_layers", layers);
        c.put("num_attention_heads", heads);
        c.put("num_key_value_heads", kvHeads);
        c.put("head_dim", headDim);
        c.put("hidden_act", "silu");
        c.put("rms_norm_eps", normEpsilon(where));
        c.put("rope_theta", RotaryTables.theta(tensor("cos_cache"), tensor("sin_cache"), headDim, where));
        c.put("max_position_embeddings", dims("cos_cache", where)[0]);
        c.put("tie_word_embeddings", false);
        c.put("attention_bias", hfToOnnx.containsKey("model.layers.0.self_attn.q_proj.bias"));
        c.put("torch_dtype", "float16");
        for (String id : new String[] {"bos_token_id", "eos_token_id", "pad_token_id"}) {
            if (genai.path(id).canConvertToInt()) {
                c.put(id, genai.path(id).asInt());
            }
        }
        return c;
    }

    private static int positive(JsonNode node, String field, String where) {
        JsonNode v = node.path(field);
        if (!v.canConvertToInt() || v.asInt() <= 0) {
            throw new BadInputException(where + ": genai_config.json decoder." + field + " is missing or not positive");
        }
        return v.asInt();
    }

    private long[] dims(String onnxName, String where) {
        OnnxMl.TensorProto p = protos.get(onnxName);
        if (p == null) {
            throw new BadInputException(where + ": no initializer " + onnxName);
        }
        return p.getDimsList().stream().mapToLong(Long::longValue).toArray();
    }

    private Tensor tensor(String onnxName) {
        OnnxMl.TensorProto p = protos.get(onnxName);
        if (p == null) {
            throw new BadInputException(model.file() + ": no initializer " + onnxName);
        }
        return model.tensor(p);
    }

    /** The epsilon of the (Skip)SimplifiedLayerNormalization nodes; they must all agree. */
    private double normEpsilon(String where) {
        Float eps = null;
        for (OnnxMl.NodeProto n : model.proto().getGraph().getNodeList()) {
            if (n.getOpType().equals("RotaryEmbedding") && n.getAttributeList().stream()
                    .anyMatch(a -> a.getName().equals("interleaved") && a.getI() != 0)) {
                throw new BadInputException(where + ": node " + n.getName() + " uses interleaved rotary embeddings; "
                        + "only the Hugging Face (half-split) layout is supported");
            }
            if (!n.getOpType().endsWith("SimplifiedLayerNormalization")) {
                continue;
            }
            for (OnnxMl.AttributeProto a : n.getAttributeList()) {
                if (a.getName().equals("epsilon")) {
                    if (eps != null && eps != a.getF()) {
                        throw new BadInputException(where + ": norm nodes disagree on epsilon (" + eps + " vs "
                                + a.getF() + ")");
                    }
                    eps = a.getF();
                }
            }
        }
        if (eps == null) {
            throw new BadInputException(where + ": no SimplifiedLayerNormalization node with an epsilon");
        }
        return Double.parseDouble(Float.toString(eps)); // the decimal the exporter wrote, not its float32 neighbour
    }

    @Override
    public String format() {
        return "onnx";
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
        return elementCount;
    }

    @Override
    public WeightSource weights() {
        return new WeightSource() {
            @Override
            public Tensor get(String hfName) {
                String onnx = hfToOnnx.get(hfName);
                if (onnx == null) {
                    throw new BadInputException(model.file() + ": no initializer maps to " + hfName);
                }
                Tensor t = tensor(onnx);
                // MatMul weights are stored [in, out]; Hugging Face linears are [out, in]
                return onnx.endsWith(".MatMul.weight") ? Tensors.transpose2d(t, hfName) : t.renamed(hfName);
            }

            @Override
            public Set<String> names() {
                return java.util.Collections.unmodifiableSet(hfToOnnx.keySet());
            }
        };
    }

    @Override
    public Map<String, byte[]> tokenizerFiles() {
        return TokenizerFiles.read(dir);
    }

    @Override
    public void close() {
        model.close();
    }
}
