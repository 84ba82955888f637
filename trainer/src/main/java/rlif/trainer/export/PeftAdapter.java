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
import rlif.trainer.params.LoraSpec;
import rlif.trainer.params.Trainables;

/**
 * A LoRA adapter in the PEFT format: {@code adapter_config.json} and {@code adapter_model.safetensors}
 * with Hugging Face tensor names ({@code base_model.model.<module>.lora_A.weight} {@code [r, in]} and
 * {@code lora_B.weight} {@code [out, r]}, the transposes of the graph's A {@code [in, r]} and B {@code [r, out]}).
 */
public final class PeftAdapter {
    public static final String CONFIG = "adapter_config.json";
    public static final String WEIGHTS = "adapter_model.safetensors";
    private static final String PREFIX = "base_model.model.";
    private static final ObjectMapper JSON = new ObjectMapper();

    private PeftAdapter() {}

    /** The two files' bytes for the adapters on {@code modules}. */
    public static Map<String, byte[]> files(Trainables t, LoraSpec spec, Set<String> modules, String baseModel) {
        List<Tensor> tensors = new ArrayList<>();
        Set<String> targets = new TreeSet<>();
        for (String m : new TreeSet<>(modules)) {
            Trainables.Param a = t.get(LoraSpec.aName(m));
            Trainables.Param b = t.get(LoraSpec.bName(m));
            tensors.add(transposed(PREFIX + m + ".lora_A.weight", a));
            tensors.add(transposed(PREFIX + m + ".lora_B.weight", b));
            targets.add(m.substring(m.lastIndexOf('.') + 1));
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

    /** A read adapter: spec and the graph-layout A/B per module. */
    public record Loaded(LoraSpec spec, Trainables trainables, Set<String> modules) {}

    /** Reads a PEFT adapter directory written by {@link #files} (or by PEFT with the same conventions). */
    public static Loaded read(Path dir) {
        Path cfgFile = dir.resolve(CONFIG);
        Path weights = dir.resolve(WEIGHTS);
        if (!Files.isRegularFile(cfgFile) || !Files.isRegularFile(weights)) {
            throw new BadInputException("--adapter " + dir + ": expected " + CONFIG + " and " + WEIGHTS);
        }
        int r;
        double alpha;
        try {
            var c = JSON.readTree(cfgFile.toFile());
            if (!c.path("r").isInt() || !c.path("lora_alpha").isNumber()) {
                throw new BadInputException(cfgFile + ": fields r (integer) and lora_alpha (number) are required");
            }
            r = c.path("r").intValue();
            alpha = c.path("lora_alpha").doubleValue();
        } catch (IOException e) {
            throw new BadInputException(cfgFile + ": not valid JSON: " + e.getMessage(), e);
        }
        Trainables t = new Trainables();
        Set<String> modules = new TreeSet<>();
        try (SafetensorsFile f = SafetensorsFile.open(weights)) {
            for (String name : f.tensors().keySet()) {
                if (!name.startsWith(PREFIX) || !name.endsWith(".lora_A.weight")) {
                    continue;
                }
                String module = name.substring(PREFIX.length(), name.length() - ".lora_A.weight".length());
                String bName = PREFIX + module + ".lora_B.weight";
                if (!f.tensors().containsKey(bName)) {
                    throw new BadInputException(weights + ": " + name + " has no matching " + bName);
                }
                Tensor a = f.tensor(name);
                Tensor b = f.tensor(bName);
                if (a.shape().length != 2 || b.shape().length != 2 || a.shape()[0] != r || b.shape()[1] != r) {
                    throw new BadInputException(weights + ": " + module + " adapter shapes do not match r = " + r);
                }
                t.register(LoraSpec.aName(module), new long[] {a.shape()[1], r}, transpose(a.toFloats(), r, (int) a.shape()[1]));
                t.register(LoraSpec.bName(module), new long[] {r, b.shape()[0]}, transpose(b.toFloats(), (int) b.shape()[0], r));
                modules.add(module);
            }
        }
        if (modules.isEmpty()) {
            throw new BadInputException(weights + ": no base_model.model.*.lora_A.weight tensors");
        }
        return new Loaded(new LoraSpec(r, alpha, List.of()), t, modules);
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
