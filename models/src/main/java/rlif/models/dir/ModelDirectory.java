package rlif.models.dir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import rlif.models.BadInputException;
import rlif.models.io.ContainedPaths;
import rlif.models.tensor.DType;
import rlif.models.tokenizer.ModelTokenizer;

/**
 * A decoder model directory in any layout of docs/rollout-engine.md, opened and checked: configs parsed,
 * the ONNX file parsed and its external data bounds-checked, input/output names resolved against the
 * graph, and shapes read from the graph where configs are silent. Nothing native is opened here.
 */
public final class ModelDirectory {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern OPTIMUM_PAST = Pattern.compile("past_key_values\\.(\\d+)\\.(key|value)");
    private static final Pattern OPTIMUM_PRESENT = Pattern.compile("present\\.(\\d+)\\.(key|value)");
    /** Where Optimum and transformers.js put the decoder, in order of preference. */
    private static final List<String> OPTIMUM_DECODERS = List.of(
            "model.onnx", "decoder_model_merged.onnx", "onnx/model.onnx", "onnx/decoder_model_merged.onnx");

    private final Path dir;
    private final ModelConfig config;
    private final DecoderIo io;
    private final OnnxModelFile onnx;

    private ModelDirectory(Path dir, ModelConfig config, DecoderIo io, OnnxModelFile onnx) {
        this.dir = dir;
        this.config = config;
        this.io = io;
        this.onnx = onnx;
    }

    /** Opens {@code dir}; anything missing, unreadable or inconsistent is a {@link BadInputException}. */
    public static ModelDirectory open(Path dir) {
        return open(dir, Set.of());
    }

    /**
     * Opens {@code dir} whose decoder may have further inputs {@code fedByCaller} that the caller supplies on
     * every run (the trainer's policy: LoRA or full weights as inputs, see
     * {@code OnnxRolloutEngine#setConstantInputs}).
     */
    public static ModelDirectory open(Path dir, Set<String> fedByCaller) {
        if (!Files.exists(dir)) {
            throw new BadInputException("model directory " + dir + " does not exist");
        }
        if (!Files.isDirectory(dir)) {
            throw new BadInputException("model directory " + dir + " is not a directory");
        }
        if (!Files.isReadable(dir) || !Files.isExecutable(dir)) {
            throw new BadInputException("model directory " + dir + " is not readable");
        }
        Path root = dir.toAbsolutePath().normalize();
        boolean genai = Files.isRegularFile(root.resolve("genai_config.json"));
        boolean optimum = Files.isRegularFile(root.resolve("config.json"));
        boolean rlif = Files.isRegularFile(root.resolve("rlif.json"));
        if (rlif && optimum) {
            return openOptimum(root, ModelLayout.RLIF, fedByCaller);
        }
        if (genai) {
            return openGenai(root, fedByCaller);
        }
        if (optimum) {
            return openOptimum(root, ModelLayout.OPTIMUM, fedByCaller);
        }
        throw new BadInputException("model directory " + dir
                + " has no decoder: expected genai_config.json (ORT-GenAI) or config.json + model.onnx (Optimum)");
    }

    public Path dir() {
        return dir;
    }

    public ModelConfig config() {
        return config;
    }

    public DecoderIo io() {
        return io;
    }

    /** The decoder's parsed interface (inputs, outputs, external files). */
    public OnnxModelFile onnx() {
        return onnx;
    }

    /** {@code tokenizer.json}, when the directory has one. */
    public Optional<Path> tokenizerFile() {
        Path p = dir.resolve("tokenizer.json");
        return Files.isRegularFile(p) ? Optional.of(p) : Optional.empty();
    }

    /** Opens the directory's tokenizer; a directory without {@code tokenizer.json} is bad input. */
    public ModelTokenizer openTokenizer() {
        Path p = tokenizerFile().orElseThrow(() -> new BadInputException(
                "model directory " + dir + " has no tokenizer.json (text prompts need one; prompt_ids rows do not)"));
        return ModelTokenizer.open(p);
    }

    // ---- ORT-GenAI ----

    private static ModelDirectory openGenai(Path root, Set<String> fedByCaller) {
        Path configFile = root.resolve("genai_config.json");
        JsonNode model = readJson(configFile).path("model");
        JsonNode decoder = model.path("decoder");
        String where = configFile.toString();
        String filename = text(decoder, "filename", null);
        if (filename == null) {
            throw new BadInputException(where + ": model.decoder.filename is missing");
        }
        Path decoderFile = ContainedPaths.resolve(root, root, filename, "decoder file", where + ", model.decoder.filename");
        OnnxModelFile onnx = OnnxModelFile.read(decoderFile, root);

        JsonNode in = decoder.path("inputs");
        JsonNode out = decoder.path("outputs");
        OptionalInt layersCfg = integer(decoder, "num_hidden_layers", where);
        boolean stacked = in.has("past_names");
        int layers = layersCfg.isPresent() ? layersCfg.getAsInt() : countLayers(onnx, stacked ? 1 : 2);
        if (layers < 1 || layers > 100_000) {
            throw new BadInputException(where + ": model.decoder.num_hidden_layers " + layers + " is out of range");
        }
        CacheLayout layout;
        List<String> past = new ArrayList<>();
        List<String> present = new ArrayList<>();
        if (stacked) {
            layout = CacheLayout.STACKED;
            String pastPattern = text(in, "past_names", null);
            String presentPattern = text(out, "present_names", "present_%d");
            for (int i = 0; i < layers; i++) {
                past.add(layerName(pastPattern, i, where, "inputs.past_names"));
                present.add(layerName(presentPattern, i, where, "outputs.present_names"));
            }
        } else {
            layout = CacheLayout.SEPARATE;
            String pk = text(in, "past_key_names", "past_key_values.%d.key");
            String pv = text(in, "past_value_names", "past_key_values.%d.value");
            String ok = text(out, "present_key_names", "present.%d.key");
            String ov = text(out, "present_value_names", "present.%d.value");
            for (int i = 0; i < layers; i++) {
                past.add(layerName(pk, i, where, "inputs.past_key_names"));
                past.add(layerName(pv, i, where, "inputs.past_value_names"));
                present.add(layerName(ok, i, where, "outputs.present_key_names"));
                present.add(layerName(ov, i, where, "outputs.present_value_names"));
            }
        }
        String positionIds = text(in, "position_ids", "position_ids");
        DecoderIo io = new DecoderIo(
                text(in, "input_ids", "input_ids"),
                text(in, "attention_mask", "attention_mask"),
                onnx.input(positionIds).map(TensorSpec::name),
                Optional.empty(),
                text(out, "logits", "logits"),
                layout, past, present);
        Settings s = new Settings();
        s.architecture = text(model, "type", "unknown");
        s.layers = layers;
        s.heads = integer(decoder, "num_attention_heads", where);
        s.kvHeads = integer(decoder, "num_key_value_heads", where);
        s.headSize = integer(decoder, "head_size", where);
        s.hidden = integer(decoder, "hidden_size", where);
        s.vocab = integer(model, "vocab_size", where);
        s.context = integer(model, "context_length", where);
        s.bos = integer(model, "bos_token_id", where);
        s.eos.addAll(ids(model.path("eos_token_id"), where + ": model.eos_token_id"));
        s.pad = integer(model, "pad_token_id", where);
        return build(root, ModelLayout.ORT_GENAI, onnx, io, s, where, fedByCaller);
    }

    // ---- Optimum / rlif ----

    private static ModelDirectory openOptimum(Path root, ModelLayout layout, Set<String> fedByCaller) {
        Path configFile = root.resolve("config.json");
        String where = configFile.toString();
        JsonNode cfg = readJson(configFile);
        Path decoderFile = null;
        for (String candidate : OPTIMUM_DECODERS) {
            if (Files.isRegularFile(root.resolve(candidate))) {
                decoderFile = root.resolve(candidate);
                break;
            }
        }
        if (decoderFile == null) {
            throw new BadInputException("model directory " + root + " has config.json but no decoder ("
                    + String.join(", ", OPTIMUM_DECODERS) + ")");
        }
        OnnxModelFile onnx = OnnxModelFile.read(ContainedPaths.confine(root, decoderFile, "decoder file", root.toString()), root);
        Map<Integer, String[]> pastByLayer = layerNames(onnx.inputs(), OPTIMUM_PAST);
        Map<Integer, String[]> presentByLayer = layerNames(onnx.outputs(), OPTIMUM_PRESENT);
        if (pastByLayer.isEmpty()) {
            throw new BadInputException("ONNX file " + decoderFile
                    + " has no past_key_values.N.key/value inputs: rlif needs a decoder exported with its cache"
                    + " (Optimum task text-generation-with-past)");
        }
        List<String> past = new ArrayList<>();
        List<String> present = new ArrayList<>();
        for (int i = 0; i < pastByLayer.size(); i++) {
            String[] p = pastByLayer.get(i);
            String[] o = presentByLayer.get(i);
            if (p == null || p[0] == null || p[1] == null || o == null || o[0] == null || o[1] == null) {
                throw new BadInputException("ONNX file " + decoderFile + ": layer " + i
                        + " lacks a past_key_values." + i + ".key/value input or present." + i + ".key/value output");
            }
            past.add(p[0]);
            past.add(p[1]);
            present.add(o[0]);
            present.add(o[1]);
        }
        DecoderIo io = new DecoderIo("input_ids", "attention_mask",
                onnx.input("position_ids").map(TensorSpec::name),
                onnx.input("use_cache_branch").map(TensorSpec::name),
                "logits", CacheLayout.SEPARATE, past, present);

        Settings s = new Settings();
        s.architecture = text(cfg, "model_type", "unknown");
        s.layers = pastByLayer.size();
        s.heads = first(cfg, where, "num_attention_heads", "n_head");
        s.kvHeads = first(cfg, where, "num_key_value_heads");
        s.headSize = first(cfg, where, "head_dim");
        s.hidden = first(cfg, where, "hidden_size", "n_embd");
        s.vocab = first(cfg, where, "vocab_size");
        s.context = first(cfg, where, "max_position_embeddings", "n_positions", "n_ctx");
        OptionalInt layersCfg = first(cfg, where, "num_hidden_layers", "n_layer");
        if (layersCfg.isPresent() && layersCfg.getAsInt() != s.layers) {
            throw new BadInputException(where + ": field 'num_hidden_layers' is " + layersCfg.getAsInt() + " but the decoder "
                    + decoderFile.getFileName() + " has " + s.layers + " layers of cache inputs");
        }
        s.bos = integer(cfg, "bos_token_id", where);
        s.pad = integer(cfg, "pad_token_id", where);
        s.eos.addAll(ids(cfg.path("eos_token_id"), where + ": eos_token_id"));
        Path generation = root.resolve("generation_config.json");
        if (Files.isRegularFile(generation)) {
            String gw = generation.toString();
            JsonNode gen = readJson(generation);
            s.eos.addAll(ids(gen.path("eos_token_id"), gw + ": eos_token_id"));
            OptionalInt pad = integer(gen, "pad_token_id", gw);
            if (pad.isPresent()) {
                s.pad = pad;
            }
            OptionalInt bos = integer(gen, "bos_token_id", gw);
            if (bos.isPresent()) {
                s.bos = bos;
            }
        }
        if (layout == ModelLayout.RLIF) {
            Path rlifJson = root.resolve("rlif.json");
            s.architecture = text(readJson(rlifJson), "architecture", s.architecture);
        }
        return build(root, layout, onnx, io, s, where, fedByCaller);
    }

    // ---- shared ----

    /** Values read from configs before the graph is consulted; empty where the config is silent. */
    private static final class Settings {
        String architecture;
        int layers;
        OptionalInt heads = OptionalInt.empty();
        OptionalInt kvHeads = OptionalInt.empty();
        OptionalInt headSize = OptionalInt.empty();
        OptionalInt hidden = OptionalInt.empty();
        OptionalInt vocab = OptionalInt.empty();
        OptionalInt context = OptionalInt.empty();
        OptionalInt bos = OptionalInt.empty();
        OptionalInt pad = OptionalInt.empty();
        Set<Integer> eos = new LinkedHashSet<>();
    }

    private static ModelDirectory build(Path root, ModelLayout layout, OnnxModelFile onnx, DecoderIo io, Settings s,
            String configWhere, Set<String> fedByCaller) {
        String onnxWhere = "ONNX file " + onnx.file();
        positive(s.heads, "num_attention_heads", configWhere);
        positive(s.kvHeads, "num_key_value_heads", configWhere);
        positive(s.headSize, "head_dim", configWhere);
        positive(s.hidden, "hidden_size", configWhere);
        positive(s.vocab, "vocab_size", configWhere);
        positive(s.context, "max_position_embeddings", configWhere);
        TensorSpec ids = requireInput(onnx, io.inputIds(), onnxWhere);
        TensorSpec mask = requireInput(onnx, io.attentionMask(), onnxWhere);
        TensorSpec logits = onnx.output(io.logits()).orElseThrow(() -> new BadInputException(
                onnxWhere + " has no output '" + io.logits() + "'"));
        DType idType = ids.dtype();
        if (idType != DType.I32 && idType != DType.I64) {
            throw new BadInputException(onnxWhere + ": input '" + ids.name() + "' has type " + ids
                    + "; rlif supports int32 and int64 token ids");
        }
        if (mask.dtype() != idType) {
            throw new BadInputException(onnxWhere + ": attention mask type " + mask.dtype()
                    + " differs from input id type " + idType);
        }
        if (io.positionIds().isPresent() && onnx.input(io.positionIds().get()).orElseThrow().dtype() != idType) {
            throw new BadInputException(onnxWhere + ": position id type differs from input id type " + idType);
        }
        TensorSpec firstPast = null;
        for (String name : io.pastInputs()) {
            TensorSpec p = requireInput(onnx, name, onnxWhere);
            if (p.rank() != (io.cacheLayout() == CacheLayout.STACKED ? 5 : 4)) {
                throw new BadInputException(onnxWhere + ": cache input " + p + " does not have the "
                        + io.cacheLayout().name().toLowerCase() + " cache layout's rank");
            }
            if (firstPast != null && p.dtype() != firstPast.dtype()) {
                throw new BadInputException(onnxWhere + ": cache inputs mix types " + firstPast + " and " + p);
            }
            firstPast = p;
        }
        for (String name : io.presentOutputs()) {
            if (onnx.output(name).isEmpty()) {
                throw new BadInputException(onnxWhere + " has no output '" + name + "'");
            }
        }
        Set<String> fed = new java.util.HashSet<>(io.pastInputs());
        fed.addAll(fedByCaller);
        fed.add(io.inputIds());
        fed.add(io.attentionMask());
        io.positionIds().ifPresent(fed::add);
        io.useCacheBranch().ifPresent(fed::add);
        for (TensorSpec in : onnx.inputs()) {
            if (!fed.contains(in.name())) {
                throw new BadInputException(onnxWhere + " has an input rlif does not know how to feed: " + in);
            }
        }
        DType kvType = firstPast.dtype();
        if (kvType != DType.F32 && kvType != DType.F16) {
            throw new BadInputException(onnxWhere + ": cache type " + firstPast + " is not supported (float32, float16)");
        }
        DType logitsType = logits.dtype();
        if (logitsType != DType.F32 && logitsType != DType.F16) {
            throw new BadInputException(onnxWhere + ": logits type " + logits + " is not supported (float32, float16)");
        }
        int headAxis = io.cacheLayout() == CacheLayout.STACKED ? 2 : 1;
        int sizeAxis = io.cacheLayout() == CacheLayout.STACKED ? 4 : 3;
        int kvHeads = fromGraphOrConfig(firstPast.dim(headAxis), s.kvHeads, "key/value heads", onnxWhere, configWhere);
        int headSize = fromGraphOrConfig(firstPast.dim(sizeAxis), s.headSize.isPresent() ? s.headSize
                : divide(s.hidden, s.heads), "head size", onnxWhere, configWhere);
        int vocab = fromGraphOrConfig(logits.dim(logits.rank() - 1), s.vocab, "vocabulary size", onnxWhere, configWhere);
        int heads = s.heads.orElse(kvHeads);
        if (heads % kvHeads != 0) {
            throw new BadInputException(configWhere + ": num_attention_heads " + heads + " is not a multiple of the "
                    + kvHeads + " key/value heads");
        }
        for (int id : s.eos) {
            if (id < 0 || id >= vocab) {
                throw new BadInputException(configWhere + ": eos id " + id + " is outside the vocabulary (" + vocab + ")");
            }
        }
        List<ModelFile> files = new ArrayList<>();
        files.add(new ModelFile(onnx.file(), onnx.bytes()));
        new TreeMap<>(onnx.externalFiles()).forEach((p, n) -> files.add(new ModelFile(p, n)));
        ModelConfig config = new ModelConfig(layout, s.architecture, s.layers, heads, kvHeads, headSize, s.hidden,
                vocab, idType, kvType, logitsType, s.bos, s.eos, s.pad, s.context, onnx.file(), files);
        return new ModelDirectory(root, config, io, onnx);
    }

    /** A size the config gives must be positive (0 or -1 would make every later shape wrong or divide by zero). */
    private static void positive(OptionalInt v, String field, String where) {
        if (v.isPresent() && v.getAsInt() < 1) {
            throw new BadInputException(where + ": field '" + field + "' must be positive, got " + v.getAsInt());
        }
    }

    private static TensorSpec requireInput(OnnxModelFile onnx, String name, String where) {
        return onnx.input(name).orElseThrow(() -> new BadInputException(where + " has no input '" + name + "'"));
    }

    /** The graph's static dimension, else the config's value; they must agree when both are known. */
    private static int fromGraphOrConfig(long graph, OptionalInt config, String what, String onnxWhere,
            String configWhere) {
        if (graph > 0) {
            if (graph > Integer.MAX_VALUE) {
                throw new BadInputException(onnxWhere + ": " + what + " " + graph + " is out of range");
            }
            if (config.isPresent() && config.getAsInt() != graph) {
                throw new BadInputException(configWhere + " says " + what + " is " + config.getAsInt()
                        + " but " + onnxWhere + " has " + graph);
            }
            return (int) graph;
        }
        if (config.isPresent() && config.getAsInt() > 0) {
            return config.getAsInt();
        }
        throw new BadInputException("cannot tell the " + what + ": " + onnxWhere + " leaves it symbolic and "
                + configWhere + " does not say");
    }

    private static OptionalInt divide(OptionalInt a, OptionalInt b) {
        return a.isPresent() && b.isPresent() && b.getAsInt() > 0
                ? OptionalInt.of(a.getAsInt() / b.getAsInt()) : OptionalInt.empty();
    }

    /** Layers when the config does not say: cache inputs of the graph, one or two per layer. */
    private static int countLayers(OnnxModelFile onnx, int perLayer) {
        return (int) onnx.inputs().stream().filter(s -> s.name().startsWith("past")).count() / perLayer;
    }

    private static String layerName(String pattern, int layer, String where, String field) {
        if (pattern == null || !pattern.contains("%d")) {
            throw new BadInputException(where + ": " + field + " '" + pattern + "' must contain %d");
        }
        return pattern.replace("%d", Integer.toString(layer));
    }

    private static Map<Integer, String[]> layerNames(List<TensorSpec> specs, Pattern pattern) {
        Map<Integer, String[]> byLayer = new TreeMap<>();
        for (TensorSpec s : specs) {
            Matcher m = pattern.matcher(s.name());
            if (m.matches() && m.group(1).length() < 7) {
                String[] kv = byLayer.computeIfAbsent(Integer.parseInt(m.group(1)), k -> new String[2]);
                kv[m.group(2).equals("key") ? 0 : 1] = s.name();
            }
        }
        return byLayer;
    }

    private static JsonNode readJson(Path file) {
        ContainedPaths.confine(file.getParent(), file, "config file", file.getParent().toString());
        try {
            JsonNode n = JSON.readTree(file.toFile());
            if (n == null || !n.isObject()) {
                throw new BadInputException(file + ": not a JSON object");
            }
            return n;
        } catch (IOException e) {
            throw new BadInputException("cannot parse " + file + ": " + e.getMessage().lines().findFirst().orElse(""), e);
        }
    }

    private static String text(JsonNode node, String field, String fallback) {
        JsonNode v = node.get(field);
        return v != null && v.isTextual() ? v.asText() : fallback;
    }

    private static OptionalInt integer(JsonNode node, String field, String where) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return OptionalInt.empty();
        }
        if (!v.canConvertToInt() || !v.isIntegralNumber()) {
            throw new BadInputException(where + ": field '" + field + "' must be an integer, got " + v);
        }
        return OptionalInt.of(v.intValue());
    }

    private static OptionalInt first(JsonNode node, String where, String... fields) {
        for (String f : fields) {
            OptionalInt v = integer(node, f, where);
            if (v.isPresent()) {
                return v;
            }
        }
        return OptionalInt.empty();
    }

    /** An id field that may be a single integer or a list of them. */
    private static List<Integer> ids(JsonNode v, String where) {
        List<Integer> out = new ArrayList<>();
        if (v == null || v.isMissingNode() || v.isNull()) {
            return out;
        }
        for (JsonNode e : v.isArray() ? v : List.of(v)) {
            if (!e.isIntegralNumber() || !e.canConvertToInt()) {
                throw new BadInputException(where + " must be an integer or a list of integers, got " + v);
            }
            out.add(e.intValue());
        }
        return out;
    }
}
