package rlif.evaluator.score;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import rlif.evaluator.prompt.PromptFormat;
import rlif.evaluator.rollout.SamplingParams;
import rlif.models.BadInputException;

/**
 * Everything {@code rlif score} was asked to do. The settings that decide what the rows contain
 * ({@link #RESUME_KEYS}) must match for a run to resume into an existing {@code --out}; batch size, device
 * and kernels only change speed, so they may differ between the parts of a resumed run.
 *
 * @param model the model directory as given
 * @param data the data source description (absolute JSONL path or canonical arith spec)
 * @param limit the number of problems to use, 0 for all
 */
public record ScoreSettings(
        String model,
        String data,
        int limit,
        int samples,
        int maxNewTokens,
        double temperature,
        int topK,
        double topP,
        long seed,
        int batchSize,
        String device,
        String kernels,
        PromptFormat promptFormat,
        boolean tokenSignals) implements java.io.Serializable {

    /** {@code maxNewTokens} when the user did not choose: 256, or less where the model's context is shorter. */
    public static final int DEFAULT_MAX_NEW_TOKENS = 256;
    /** A {@code maxNewTokens} of 0 asks the score job to pick the default that fits (see {@link #DEFAULT_MAX_NEW_TOKENS}). */
    public static final int FIT_MAX_NEW_TOKENS = 0;

    /** The settings a resumed run must share with the run it continues. */
    public static final List<String> RESUME_KEYS = List.of("model", "data", "limit", "samples", "max_new_tokens",
            "temperature", "top_k", "top_p", "seed", "prompt_format", "token_signals");

    public ScoreSettings {
        if (limit < 0) {
            throw new BadInputException("--limit must be >= 1, got " + limit);
        }
        if (samples < 1 || samples > 100_000) {
            throw new BadInputException("--samples must be in 1..100000, got " + samples);
        }
        if (batchSize < 1 || batchSize > 4096) {
            throw new BadInputException("--batch-size must be in 1..4096, got " + batchSize);
        }
        if (!device.equals("cpu") && !device.equals("cuda")) {
            throw new BadInputException("--device must be cpu or cuda, got " + device);
        }
        // validates the sampling flags
        new SamplingParams(temperature, topK, topP, maxNewTokens == FIT_MAX_NEW_TOKENS ? 1 : maxNewTokens);
    }

    /** These settings with {@code maxNewTokens} resolved. */
    public ScoreSettings withMaxNewTokens(int n) {
        return new ScoreSettings(model, data, limit, samples, n, temperature, topK, topP, seed, batchSize, device,
                kernels, promptFormat, tokenSignals);
    }

    /** The same settings for another model directory (a multi-model run scores every model alike). */
    public ScoreSettings withModel(String otherModel) {
        return new ScoreSettings(otherModel, data, limit, samples, maxNewTokens, temperature, topK, topP, seed, batchSize,
                device, kernels, promptFormat, tokenSignals);
    }

    public SamplingParams sampling() {
        return new SamplingParams(temperature, topK, topP, maxNewTokens);
    }

    public ObjectNode toJson() {
        ObjectNode o = new ObjectMapper().createObjectNode();
        o.put("model", model);
        o.put("data", data);
        o.put("limit", limit);
        o.put("samples", samples);
        o.put("max_new_tokens", maxNewTokens);
        o.put("temperature", temperature);
        o.put("top_k", topK);
        o.put("top_p", topP);
        o.put("seed", seed);
        o.put("prompt_format", promptFormat.json());
        o.put("token_signals", tokenSignals);
        o.put("batch_size", batchSize);
        o.put("device", device);
        o.put("kernels", kernels);
        return o;
    }

    /** The first resume key whose value differs from {@code previous} (a settings object), or null if none. */
    public String firstDifference(JsonNode previous) {
        ObjectNode mine = toJson();
        for (String key : RESUME_KEYS) {
            if (!same(mine.get(key), previous.get(key))) {
                return key + " was " + previous.get(key) + ", now " + mine.get(key);
            }
        }
        return null;
    }

    /** JSON values compared as values: a seed read back as an int equals the long it was written as. */
    private static boolean same(JsonNode a, JsonNode b) {
        if (a != null && b != null && a.isNumber() && b.isNumber()) {
            return a.decimalValue().compareTo(b.decimalValue()) == 0;
        }
        return a != null && a.equals(b);
    }
}
