package rlif.evaluator.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One row of {@code rollouts.jsonl} (DESIGN section 9), in the contract's field order. The per-token arrays
 * are null unless {@code --token-signals} was given.
 *
 * @param prompt the prompt text the tokenizer saw (rendered by the chat template under {@code --prompt-format
 *     chat}; decoded from the ids when the data gave {@code prompt_ids}), or null when there is no tokenizer
 * @param promptFormat {@code chat} when {@code prompt} is already rendered by a chat template (so reading the row
 *     back encodes it without adding special tokens), else {@code plain}
 * @param promptIds the prompt's token ids, with {@code --token-signals} or when the data gave ids; else null
 */
public record RolloutRow(
        int promptIndex,
        String id,
        int sample,
        String prompt,
        String promptFormat,
        int[] promptIds,
        String completion,
        int[] completionIds,
        String finishReason,
        int numTokens,
        double tokenEntropy,
        double selfCertainty,
        double trajectoryEntropy,
        double sumLogprob,
        String answer,
        String reference,
        Boolean correct,
        double[] tokenLogprobs,
        double[] tokenEntropies,
        double[] tokenSelfCertainties) {

    static final ObjectMapper JSON = new ObjectMapper();

    /** A row without its prompt (prompt null, format {@code plain}): for callers that build rows from metrics alone. */
    public RolloutRow(int promptIndex, String id, int sample, String completion, int[] completionIds, String finishReason,
            int numTokens, double tokenEntropy, double selfCertainty, double trajectoryEntropy, double sumLogprob,
            String answer, String reference, Boolean correct, double[] tokenLogprobs, double[] tokenEntropies,
            double[] tokenSelfCertainties) {
        this(promptIndex, id, sample, null, "plain", null, completion, completionIds, finishReason, numTokens, tokenEntropy,
                selfCertainty, trajectoryEntropy, sumLogprob, answer, reference, correct, tokenLogprobs, tokenEntropies,
                tokenSelfCertainties);
    }

    /** The value of a trajectory signal by its {@code rollouts.jsonl} name. */
    public double signal(Signal s) {
        return switch (s) {
            case TOKEN_ENTROPY -> tokenEntropy;
            case SELF_CERTAINTY -> selfCertainty;
            case TRAJECTORY_ENTROPY -> trajectoryEntropy;
            case SUM_LOGPROB -> sumLogprob;
        };
    }

    /** One JSON line, without the newline. */
    public String toJsonLine() {
        ObjectNode o = JSON.createObjectNode();
        o.put("prompt_index", promptIndex);
        o.put("id", id);
        o.put("sample", sample);
        o.put("prompt", prompt);
        o.put("prompt_format", promptFormat);
        if (promptIds != null) {
            putIds(o, "prompt_ids", promptIds);
        }
        o.put("completion", completion);
        putIds(o, "completion_ids", completionIds);
        o.put("finish_reason", finishReason);
        o.put("num_tokens", numTokens);
        putNumber(o, "token_entropy", tokenEntropy);
        putNumber(o, "self_certainty", selfCertainty);
        putNumber(o, "trajectory_entropy", trajectoryEntropy);
        putNumber(o, "sum_logprob", sumLogprob);
        o.put("answer", answer);
        o.put("reference", reference);
        if (correct == null) {
            o.putNull("correct");
        } else {
            o.put("correct", correct);
        }
        if (tokenLogprobs != null) {
            putArray(o, "token_logprobs", tokenLogprobs);
            putArray(o, "token_entropies", tokenEntropies);
            putArray(o, "token_self_certainties", tokenSelfCertainties);
        }
        return o.toString();
    }

    /** Parses a line written by {@link #toJsonLine()}; throws IllegalArgumentException when it is not one. */
    public static RolloutRow fromJson(String line) {
        JsonNode o;
        try {
            o = JSON.readTree(line);
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("not valid JSON", e);
        }
        if (o == null || !o.isObject() || !o.path("prompt_index").isInt() || !o.path("sample").isInt()
                || !o.path("completion_ids").isArray() || !o.path("finish_reason").isTextual()) {
            throw new IllegalArgumentException("not a rollout row");
        }
        int[] ids = new int[o.get("completion_ids").size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = o.get("completion_ids").get(i).asInt();
        }
        JsonNode correct = o.path("correct");
        return new RolloutRow(
                o.get("prompt_index").asInt(),
                o.path("id").asText(),
                o.get("sample").asInt(),
                o.path("prompt").isTextual() ? o.get("prompt").asText() : null,
                o.path("prompt_format").isTextual() ? o.get("prompt_format").asText() : null,
                null,
                o.path("completion").asText(),
                ids,
                o.get("finish_reason").asText(),
                o.path("num_tokens").asInt(),
                number(o, "token_entropy"),
                number(o, "self_certainty"),
                number(o, "trajectory_entropy"),
                number(o, "sum_logprob"),
                o.path("answer").isTextual() ? o.get("answer").asText() : null,
                o.path("reference").isTextual() ? o.get("reference").asText() : null,
                correct.isBoolean() ? correct.asBoolean() : null,
                null,
                null,
                null);
    }

    private static double number(JsonNode o, String field) {
        JsonNode v = o.get(field);
        return v != null && v.isNumber() ? v.asDouble() : Double.NaN;
    }

    /** JSON has no NaN: a missing value is written as null. */
    private static void putNumber(ObjectNode o, String field, double v) {
        if (Double.isFinite(v)) {
            o.put(field, v);
        } else {
            o.putNull(field);
        }
    }

    private static void putIds(ObjectNode o, String field, int[] ids) {
        ArrayNode a = o.putArray(field);
        for (int t : ids) {
            a.add(t);
        }
    }

    private static void putArray(ObjectNode o, String field, double[] values) {
        ArrayNode a = o.putArray(field);
        for (double v : values) {
            if (Double.isFinite(v)) {
                a.add(v);
            } else {
                a.addNull();
            }
        }
    }
}
