package rlif.trainer.export;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import rlif.models.BadInputException;
import rlif.models.safetensors.SafetensorsFile;
import rlif.models.safetensors.SafetensorsWriter;
import rlif.models.tensor.Tensor;
import rlif.trainer.params.LoraDelta;
import rlif.trainer.params.LoraSpec;
import rlif.trainer.params.Trainables;

/**
 * A LoRA (or DoRA) adapter in the PEFT format: {@code adapter_config.json} and {@code adapter_model.safetensors}
 * with Hugging Face tensor names ({@code base_model.model.<module>.lora_A.weight} {@code [r, in]} and
 * {@code lora_B.weight} {@code [out, r]}, the transposes of the graph's A {@code [in, r]} and B {@code [r, out]}).
 */
public final class PeftAdapter {
    public static final String CONFIG = "adapter_config.json";
    public static final String WEIGHTS = "adapter_model.safetensors";
    private static final String PREFIX = "base_model.model.";
    private static final ObjectMapper JSON = new ObjectMapper();

    private PeftAdapter() {}

    /**
     * The two files' bytes for the adapters on {@code modules}. {@code baseModel} becomes
     * {@code base_model_name_or_path}: give a folder transformers can load (see {@link #loadableBase}).
     */
    public static Map<String, byte[]> files(Trainables t, LoraSpec spec, Set<String> modules, String baseModel) {
        List<Tensor> tensors = new ArrayList<>();
        Set<String> targets = new TreeSet<>();
        for (String m : new TreeSet<>(modules)) {
            Trainables.Param a = t.get(LoraSpec.aName(m));
            Trainables.Param b = t.get(LoraSpec.bName(m));
            tensors.add(transposed(PREFIX + m + ".lora_A.weight", a));
            tensors.add(transposed(PREFIX + m + ".lora_B.weight", b));
            targets.add(m); // full paths: a last-component list would also adapt same-named modules the run did not train
        }
        ObjectNode c = JSON.createObjectNode();
        c.put("peft_type", "LORA");
        c.put("task_type", "CAUSAL_LM");
        c.put("r", spec.rank());
        c.put("lora_alpha", spec.alpha());
        c.put("lora_dropout", 0.0);
        c.put("bias", "none");
        c.put("fan_in_fan_out", false);
        c.put("inference_mode", true);
        c.put("base_model_name_or_path", baseModel);
        var arr = c.putArray("target_modules");
        targets.forEach(arr::add);
        Map<String, byte[]> out = new LinkedHashMap<>();
        try {
            out.put(CONFIG, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(c));
            Path tmp = Files.createTempFile("rlif-adapter", ".safetensors");
            try {
                SafetensorsWriter.write(tmp, tensors, Map.of("format", "pt"));
                out.put(WEIGHTS, Files.readAllBytes(tmp));
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    /** A read adapter: its config and each adapted module's delta (A and B in the graph's layout). */
    public record Loaded(AdapterConfig config, List<LoraDelta> deltas) {
        public Set<String> modules() {
            Set<String> out = new TreeSet<>();
            deltas.forEach(d -> out.add(d.module()));
            return out;
        }
    }

    /**
     * Reads a PEFT LoRA adapter directory (PEFT's own or {@link #files}): per module {@code lora_A.weight}
     * {@code [r, in]}, {@code lora_B.weight} {@code [out, r]} and, for DoRA, {@code lora_magnitude_vector}
     * {@code [out]}, with rank and scale from {@link AdapterConfig}. Tensors the reader does not use are an error.
     */
    public static Loaded read(Path dir) {
        Path cfgFile = dir.resolve(CONFIG);
        Path weights = dir.resolve(WEIGHTS);
        if (!Files.isRegularFile(cfgFile) || !Files.isRegularFile(weights)) {
            throw new BadInputException("--adapter " + dir + ": expected " + CONFIG + " and " + WEIGHTS);
        }
        AdapterConfig config = AdapterConfig.read(cfgFile);
        List<LoraDelta> deltas = new ArrayList<>();
        try (SafetensorsFile f = SafetensorsFile.open(weights)) {
            Set<String> used = new TreeSet<>();
            for (String name : new TreeSet<>(f.tensors().keySet())) {
                if (!name.startsWith(PREFIX) || !name.endsWith(".lora_A.weight")) {
                    continue;
                }
                String module = name.substring(PREFIX.length(), name.length() - ".lora_A.weight".length());
                String bName = PREFIX + module + ".lora_B.weight";
                String mName = PREFIX + module + ".lora_magnitude_vector";
                if (!f.tensors().containsKey(bName)) {
                    throw new BadInputException(weights + ": " + name + " has no matching " + bName);
                }
                int r = config.rankOf(module);
                Tensor a = f.tensor(name);
                Tensor b = f.tensor(bName);
                if (a.shape().length != 2 || b.shape().length != 2 || a.shape()[0] != r || b.shape()[1] != r) {
                    throw new BadInputException(weights + ": " + module + " adapter shapes " + java.util.Arrays.toString(a.shape())
                            + " and " + java.util.Arrays.toString(b.shape()) + " do not match its rank " + r
                            + " (r and rank_pattern of " + CONFIG + ")");
                }
                int in = (int) a.shape()[1];
                int out = (int) b.shape()[0];
                float[] magnitude = null;
                if (config.dora()) {
                    if (!f.tensors().containsKey(mName)) {
                        throw new BadInputException(weights + ": use_dora is set but " + module + " has no lora_magnitude_vector");
                    }
                    Tensor m = f.tensor(mName);
                    if (m.shape().length != 1 || m.shape()[0] != out) {
                        throw new BadInputException(weights + ": " + mName + " must hold " + out + " values");
                    }
                    magnitude = m.toFloats();
                    used.add(mName);
                }
                deltas.add(new LoraDelta(module, r, transpose(a.toFloats(), r, in), transpose(b.toFloats(), out, r),
                        config.scaleOf(module), magnitude));
                used.add(name);
                used.add(bName);
            }
            Set<String> left = new TreeSet<>(f.tensors().keySet());
            left.removeAll(used);
            if (!left.isEmpty()) {
                throw new BadInputException(weights + ": tensors rlif does not merge: " + left.stream().limit(4).toList()
                        + (left.size() > 4 ? " and " + (left.size() - 4) + " more" : ""));
            }
        }
        if (deltas.isEmpty()) {
            throw new BadInputException(weights + ": no base_model.model.*.lora_A.weight tensors");
        }
        return new Loaded(config, deltas);
    }

    /**
     * What {@code base_model_name_or_path} should say for adapters trained on {@code baseDir}: the Hugging Face
     * folder it was imported from when that still exists (PEFT loads it directly), else {@code baseDir} itself,
     * which {@code rlif export --format hf} turns into such a folder.
     */
    public static String loadableBase(Path baseDir) {
        Path rlifJson = baseDir.resolve("rlif.json");
        try {
            if (Files.isRegularFile(rlifJson)) {
                var prov = JSON.readTree(rlifJson.toFile()).path("provenance");
                Path from = Path.of(prov.path("imported_from").asText(""));
                if (prov.path("source_format").asText("").equals("safetensors") && Files.isRegularFile(from.resolve("config.json"))) {
                    return from.toString();
                }
            }
        } catch (IOException | java.nio.file.InvalidPathException e) {
            // an unreadable provenance only loses the hint; the directory itself is still named
        }
        return baseDir.toAbsolutePath().toString();
    }

    private static Tensor transposed(String name, Trainables.Param p) {
        int rows = (int) p.shape()[0];
        int cols = (int) p.shape()[1];
        return Tensor.ofFloats(name, new long[] {cols, rows}, transpose(p.values(), rows, cols));
    }

    /** The transpose of a row-major {@code [rows, cols]} matrix. */
    static float[] transpose(float[] v, int rows, int cols) {
        float[] t = new float[v.length];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                t[j * rows + i] = v[i * cols + j];
            }
        }
        return t;
    }
}
