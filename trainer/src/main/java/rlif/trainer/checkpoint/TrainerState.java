package rlif.trainer.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import rlif.models.BadInputException;
import rlif.models.safetensors.SafetensorsFile;
import rlif.models.safetensors.SafetensorsWriter;
import rlif.models.tensor.Tensor;
import rlif.trainer.optim.AdamW;
import rlif.trainer.params.Trainables;

/**
 * What a checkpoint adds to its merged model directory so a run can resume exactly: the trainables
 * ({@code trainer_params.safetensors}), AdamW's moments ({@code trainer_optimizer.safetensors}) and
 * {@code trainer_state.json} (step, optimiser step, config digest). Everything random in a step is a
 * function of (seed, step), so no generator state is needed.
 */
public final class TrainerState {
    public static final String STATE_FILE = "trainer_state.json";
    public static final String PARAMS_FILE = "trainer_params.safetensors";
    public static final String OPTIMIZER_FILE = "trainer_optimizer.safetensors";
    private static final Pattern STEP_DIR = Pattern.compile("step-(\\d+)");
    private static final ObjectMapper JSON = new ObjectMapper();

    private TrainerState() {}

    /** The three files' bytes, to be published inside the checkpoint directory. */
    public static Map<String, byte[]> files(long step, String configDigest, Trainables trainables, AdamW optimizer) {
        Map<String, byte[]> out = new LinkedHashMap<>();
        List<Tensor> params = new ArrayList<>();
        trainables.params().forEach((k, p) -> params.add(Tensor.ofFloats(k, p.shape(), p.values())));
        out.put(PARAMS_FILE, safetensorsBytes(params));
        AdamW.State s = optimizer.state();
        List<Tensor> moments = new ArrayList<>();
        s.firstMoments().forEach((k, m) -> moments.add(Tensor.ofFloats("m." + k, new long[] {m.length}, m)));
        s.secondMoments().forEach((k, v) -> moments.add(Tensor.ofFloats("v." + k, new long[] {v.length}, v)));
        out.put(OPTIMIZER_FILE, safetensorsBytes(moments));
        Map<String, Object> state = new LinkedHashMap<>();
        state.put("step", step);
        state.put("optimizer_step", s.step());
        state.put("config_digest", configDigest);
        try {
            out.put(STATE_FILE, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(state));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    private static byte[] safetensorsBytes(List<Tensor> tensors) {
        try {
            Path tmp = Files.createTempFile("rlif-state", ".safetensors");
            try {
                SafetensorsWriter.write(tmp, tensors, Map.of());
                return Files.readAllBytes(tmp);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The highest {@code step-N} under {@code checkpoints} holding a complete trainer state, if any. */
    public static OptionalLong latest(Path checkpoints) {
        if (!Files.isDirectory(checkpoints)) {
            return OptionalLong.empty();
        }
        long best = -1;
        try (var dirs = Files.list(checkpoints)) {
            for (Path d : dirs.toList()) {
                Matcher m = STEP_DIR.matcher(d.getFileName().toString());
                // hidden staging or superseded directories never match step-N, so a crash mid-write is ignored
                if (m.matches() && Files.isRegularFile(d.resolve(STATE_FILE)) && Files.isRegularFile(d.resolve(PARAMS_FILE))) {
                    best = Math.max(best, Long.parseLong(m.group(1)));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + checkpoints, e);
        }
        return best < 0 ? OptionalLong.empty() : OptionalLong.of(best);
    }

    /** How many trainable values checkpoint {@code dir} holds (LoRA factors or whole weights). */
    public static long trainableCount(Path dir) {
        long n = 0;
        try (SafetensorsFile f = SafetensorsFile.open(dir.resolve(PARAMS_FILE))) {
            for (var t : f.tensors().values()) {
                n += Tensor.elementCount(t.shape());
            }
        }
        return n;
    }

    /** Loads trainables and optimiser state from checkpoint {@code dir}; returns the step it was taken at. */
    public static long restore(Path dir, String configDigest, Trainables trainables, AdamW optimizer) {
        JsonNode state;
        try {
            state = JSON.readTree(dir.resolve(STATE_FILE).toFile());
        } catch (IOException e) {
            throw new BadInputException(dir.resolve(STATE_FILE) + ": cannot read: " + e.getMessage(), e);
        }
        if (!configDigest.equals(state.path("config_digest").asText())) {
            throw new BadInputException(dir + " was written by a run with a different config; resume needs the same config"
                    + " (or start a fresh --out)");
        }
        Map<String, float[]> params = new LinkedHashMap<>();
        try (SafetensorsFile f = SafetensorsFile.open(dir.resolve(PARAMS_FILE))) {
            for (String name : f.tensors().keySet()) {
                params.put(name, f.tensor(name).toFloats());
            }
        }
        trainables.load(params);
        Map<String, float[]> m = new LinkedHashMap<>();
        Map<String, float[]> v = new LinkedHashMap<>();
        try (SafetensorsFile f = SafetensorsFile.open(dir.resolve(OPTIMIZER_FILE))) {
            for (String name : trainables.params().keySet()) {
                if (f.tensors().containsKey("m." + name)) {
                    m.put(name, f.tensor("m." + name).toFloats());
                    v.put(name, f.tensor("v." + name).toFloats());
                }
            }
        }
        optimizer.restore(new AdamW.State(state.path("optimizer_step").asLong(), m, v));
        return state.path("step").asLong();
    }
}
