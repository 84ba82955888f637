package rlif.evaluator.rollout;

import java.util.List;
import java.util.OptionalInt;
import rlif.models.BadInputException;
import rlif.models.dir.ModelConfig;
import rlif.models.tokenizer.ModelTokenizer;

/** What every engine checks of a batch before generating: ids inside the vocabulary, prompts that fit the context. */
final class RolloutRequests {
    private RolloutRequests() {}

    static void check(List<RolloutRequest> batch, SamplingParams params, ModelConfig config) {
        OptionalInt context = config.contextLength();
        for (int i = 0; i < batch.size(); i++) {
            int[] ids = batch.get(i).promptIds();
            ModelTokenizer.requireEmbeddable(ids, config.vocab(), "prompt " + i + " of the batch");
            if (context.isPresent() && (long) ids.length + params.maxNewTokens() - 1 > context.getAsInt()) {
                throw new BadInputException("prompt " + i + " has " + ids.length + " tokens; with --max-new-tokens "
                        + params.maxNewTokens() + " it exceeds the model's context length of " + context.getAsInt());
            }
        }
    }

    /** The longest prompt of the batch: every row is left-padded to it. */
    static int longest(List<RolloutRequest> batch) {
        int longest = 0;
        for (RolloutRequest r : batch) {
            longest = Math.max(longest, r.promptIds().length);
        }
        return longest;
    }
}
