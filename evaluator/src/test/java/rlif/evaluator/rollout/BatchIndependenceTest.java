package rlif.evaluator.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import rlif.models.dir.ModelDirectory;
import rlif.models.tokenizer.ModelTokenizer;

/**
 * Evidence (b): what a prompt generates does not depend on its batch neighbours or on how much left
 * padding they force on it. Signals within 1e-4: padding changes only which masked positions exist,
 * so the logits agree up to float summation order.
 */
class BatchIndependenceTest {
    private static final double TOLERANCE = 1e-4;

    @Test
    void gpt2PromptAloneEqualsPromptPaddedInABatch() {
        int[] subject = {11, 12, 13};
        List<int[]> neighbours = List.of(new int[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, new int[] {900, 800}, new int[] {50, 60, 70, 80, 90});
        check(Fixtures.gpt2(), subject, neighbours);
    }

    @Test
    void llamaPromptAloneEqualsPromptPaddedInABatch() {
        ModelDirectory model = Fixtures.llama();
        int[] subject;
        List<int[]> neighbours = new ArrayList<>();
        try (ModelTokenizer tok = model.openTokenizer()) {
            subject = tok.encode("What is 2 + 3?", true);
            neighbours.add(tok.encode("Weng earns $12 an hour for babysitting. Yesterday, she just did 50 minutes of babysitting.", true));
            neighbours.add(tok.encode("Hi", true));
        }
        check(model, subject, neighbours);
    }

    private static void check(ModelDirectory model, int[] subject, List<int[]> neighbours) {
        for (SamplingParams params : List.of(SamplingParams.greedy(10), new SamplingParams(1.0, 0, 1, 10))) {
            try (OnnxRolloutEngine engine = new OnnxRolloutEngine(model)) {
                Rollout alone = engine.generate(List.of(new RolloutRequest(subject, 5)), params).get(0);
                List<RolloutRequest> batch = new ArrayList<>();
                batch.add(new RolloutRequest(neighbours.get(0), 1));
                batch.add(new RolloutRequest(subject, 5));
                for (int i = 1; i < neighbours.size(); i++) {
                    batch.add(new RolloutRequest(neighbours.get(i), 100 + i));
                }
                Rollout inBatch = engine.generate(batch, params).get(1);
                assertThat(inBatch.completionIds()).as("tokens, T=%s", params.temperature())
                        .containsExactly(alone.completionIds());
                for (int k = 0; k < alone.numTokens(); k++) {
                    assertThat(inBatch.tokenLogprobs()[k]).isCloseTo(alone.tokenLogprobs()[k], within(TOLERANCE));
                    assertThat(inBatch.tokenEntropies()[k]).isCloseTo(alone.tokenEntropies()[k], within(TOLERANCE));
                    assertThat(inBatch.tokenSelfCertainties()[k])
                            .isCloseTo(alone.tokenSelfCertainties()[k], within(TOLERANCE));
                }
            }
        }
    }
}
