package rlif.evaluator.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import rlif.models.dir.ModelDirectory;
import rlif.models.tokenizer.ModelTokenizer;

/** Evidence (a): decoding with the carried cache gives the tokens a full recomputation each step gives. */
class CachedRolloutMatchesRecomputeTest {

    @Test
    void cachedGreedyMatchesRecomputingThePrefixOnGpt2() throws Exception {
        ModelDirectory model = Fixtures.gpt2();
        assertCachedMatchesReference(model, List.of(new int[] {5, 17, 300, 42}, new int[] {998, 1, 2}, new int[] {77}), 12);
    }

    @Test
    void cachedGreedyMatchesRecomputingThePrefixOnLlamaFp16() throws Exception {
        ModelDirectory model = Fixtures.llama();
        List<int[]> prompts = new ArrayList<>();
        try (ModelTokenizer tok = model.openTokenizer()) {
            prompts.add(tok.encode("Natalia sold clips to 48 of her friends in April.", true));
            prompts.add(tok.encode("What is 2 + 3?", true));
            prompts.add(tok.encode("Hello", true));
        }
        assertCachedMatchesReference(model, prompts, 12);
    }

    private static void assertCachedMatchesReference(ModelDirectory model, List<int[]> prompts, int maxNew)
            throws Exception {
        List<RolloutRequest> batch = new ArrayList<>();
        for (int[] p : prompts) {
            batch.add(new RolloutRequest(p, 1));
        }
        List<Rollout> rollouts;
        try (OnnxRolloutEngine engine = new OnnxRolloutEngine(model)) {
            rollouts = engine.generate(batch, SamplingParams.greedy(maxNew));
        }
        // Prefilling one row per run and joining the caches must not change a thing either.
        List<Rollout> chunked;
        try (OnnxRolloutEngine engine = new OnnxRolloutEngine(model, EngineOptions.defaults().withPrefillLogitsBudget(1),
                rlif.kernels.SignalKernels.create("auto"))) {
            chunked = engine.generate(batch, SamplingParams.greedy(maxNew));
            assertThat(engine.stats().prefillRuns()).isGreaterThan(1);
        }
        try (FullSequenceReference ref = new FullSequenceReference(model)) {
            for (int i = 0; i < prompts.size(); i++) {
                int[] seq = prompts.get(i);
                List<Integer> expected = new ArrayList<>();
                for (int step = 0; step < maxNew; step++) {
                    double[][] logits = ref.logits(seq);
                    int next = FullSequenceReference.argmax(logits[seq.length - 1]);
                    expected.add(next);
                    if (model.config().eosIds().contains(next)) {
                        break;
                    }
                    seq = Arrays.copyOf(seq, seq.length + 1);
                    seq[seq.length - 1] = next;
                }
                int[] want = expected.stream().mapToInt(Integer::intValue).toArray();
                assertThat(rollouts.get(i).completionIds()).as("prompt %d", i).containsExactly(want);
                assertThat(chunked.get(i).completionIds()).as("prompt %d, row-grouped prefill", i).containsExactly(want);
            }
        }
    }
}
