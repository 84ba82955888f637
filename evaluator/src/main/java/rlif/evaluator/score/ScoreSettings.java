package rlif.evaluator.score;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import rlif.evaluator.prompt.PromptFormat;
import rlif.evaluator.rollout.EngineKind;
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
 * @param teacherForced score the completions the data gives instead of generating ({@code --teacher-forced}):
 *     the signals of those tokens at {@code temperature} (1 when 0); sampling flags other than the temperature
 *     do not apply, and {@code samples} must be 1 (each given completion is scored once)
 * @param engine {@code auto}, {@code step} or {@code graph} ({@code EngineKind}); like the device it changes speed,
 *               and the random stream sampled rows draw from, not what a row may contain, so it may differ on resume
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
        boolean tokenSignals,
        boolean teacherForced,
        String engine) implements java.io.Serializable {

    /** {@code maxNewTokens} when the user did not choose: 256, or less where the model's context is shorter. */
    public static final int DEFAULT_MAX_NEW_TOKENS = 256;
    /** A {@code maxNewTokens} of 0 asks the score job to pick the default that fits (see {@link #DEFAULT_MAX_NEW_TOKENS}). */
    public static final int FIT_MAX_NEW_TOKENS = 0;

    /** The settings a resumed run must share with the run it continues. */
    public static final List<String> RESUME_KEYS = List.of("model", "data", "limit", "samples", "max_new_tokens",
            "temperature", "top_k", "top_p", "seed", "prompt_format", "token_signals", "teacher_forced");

    /** Resume keys added after runs were already written, and the value a run that did not record one had. */
    private static final java.util.Map<String, JsonNode> LATER_KEYS =
            java.util.Map.of("teacher_forced", com.fasterxml.jackson.databind.node.BooleanNode.FALSE);

    /** Settings of a generating run. */
    public ScoreSettings(String model, String data, int limit, int samples, int maxNewTokens, double temperature, int topK,
            double topP, long seed, int batchSize, String device, String kernels, PromptFormat promptFormat,
            boolean tokenSignals) {
        this(model, data, limit, samples, maxNewTokens, temperature, topK, topP, seed, batchSize, device, kernels,
                promptFormat, tokenSignals, false, EngineKind.AUTO.cli());
    }

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
        if (teacherForced && samples != 1) {
            throw new BadInputException("--samples does not apply to --teacher-forced: each completion the data gives is"
                    + " scored once, and the samples of a problem are its rows");
        }
        EngineKind.parse(engine);
    }

    /** These settings with {@code maxNewTokens} resolved. */
    public ScoreSettings withMaxNewTokens(int n) {
        return new ScoreSettings(model, data, limit, samples, n, temperature, topK, topP, seed, batchSize, device,
                kernels, promptFormat, tokenSignals, teacherForced, engine);
    }

    /** The same settings for another model directory (a multi-model run scores every model alike). */
    public ScoreSettings withModel(String otherModel) {
        return new ScoreSettings(otherModel, data, limit, samples, maxNewTokens, temperature, topK, topP, seed, batchSize,
                device, kernels, promptFormat, tokenSignals, teacherForced, engine);
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
        o.put("teacher_forced", teacherForced);
        o.put("batch_size", batchSize);
        o.put("device", device);
        o.put("kernels", kernels);
        o.put("engine", engine);
        return o;
    }

    /** The first resume key whose value differs from {@code previous} (a settings object), or null if none. */
    public String firstDifference(JsonNode previous) {
        ObjectNode mine = toJson();
        for (String key : RESUME_KEYS) {
            JsonNode theirs = previous.has(key) ? previous.get(key) : LATER_KEYS.get(key);
            if (!same(mine.get(key), theirs)) {
                return key + " was " + theirs + ", now " + mine.get(key);
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
