package rlif.evaluator.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import rlif.models.dir.ModelDirectory;
import rlif.models.generation.ExactDistribution;

/**
 * Sampling with the generation graph, end to end: what it draws, and that a row's rollout depends only on its prompt
 * and seed (the same in another session, alone or in any batch, in one run or several).
 */
class GraphSamplingTest {
    private static final int DRAWS = 4000;

    /**
     * First tokens of 4000 rows (one prompt, seeds 0..3999) against the exact distribution of the prompt's
     * next-token logits from a teacher-forced run, in double: every token of probability above 1% on its own, the rest
     * together, each within 5 standard deviations; tokens outside the truncation never drawn.
     */
    @Test
    void firstTokenFrequenciesMatchTheExactDistribution() throws Exception {
        ModelDirectory model = ModelDirectory.open(Path.of("../models/arith-base"));
        int[] prompt = GraphEngineEquivalenceTest.encode(model, "Q: 38+45=? A:").getFirst();
        double[] logits;
        try (FullSequenceReference ref = new FullSequenceReference(model)) {
            double[][] all = ref.logits(prompt);
            logits = all[all.length - 1];
        }
        List<RolloutRequest> rows = new ArrayList<>();
        for (int i = 0; i < DRAWS; i++) {
            rows.add(new RolloutRequest(prompt, i));
        }
        try (GraphRolloutEngine engine = new GraphRolloutEngine(model, EngineOptions.defaults())) {
            for (SamplingParams p : List.of(new SamplingParams(2.0, 0, 1, 1), new SamplingParams(1.5, 3, 1, 1),
                    new SamplingParams(4.0, 0, 0.9, 1), new SamplingParams(4.0, 6, 0.95, 1))) {
                int[] counts = new int[model.config().vocab()];
                for (Rollout r : engine.generate(rows, p)) {
                    counts[r.completionIds()[0]]++;
                }
                double[] want = ExactDistribution.of(logits, p.temperature(), p.topK(), p.topP());
                int restCount = 0;
                double restP = 0;
                int strong = 0;
                for (int v = 0; v < want.length; v++) {
                    if (want[v] == 0) {
                        assertThat(counts[v]).as("%s: token %d is outside the truncation", p, v).isZero();
                    } else if (want[v] > 0.01) {
                        strong++;
                        assertThat(ExactDistribution.withinFiveSigma(counts[v], DRAWS, want[v]))
                                .as("%s: token %d drawn %d of %d times, p = %s", p, v, counts[v], DRAWS, want[v]).isTrue();
                    } else {
                        restCount += counts[v];
                        restP += want[v];
                    }
                }
                assertThat(ExactDistribution.withinFiveSigma(restCount, DRAWS, restP))
                        .as("%s: the tokens below 1%%, %d draws, p = %s", p, restCount, restP).isTrue();
                assertThat(strong).as("%s spreads over several tokens", p).isGreaterThan(1);
            }
        }
    }

    @Test
    void aSeedReproducesItsRolloutInAnotherSessionAndOtherSeedsDiffer() {
        ModelDirectory model = Fixtures.llama();
        List<int[]> prompts = GraphEngineEquivalenceTest.encode(model, "What is 2 + 3?", "Hello there");
        SamplingParams p = new SamplingParams(1.0, 0, 1, 12);
        List<Rollout> first = generate(model, prompts, new long[] {7, 8}, p, EngineOptions.defaults());
        List<Rollout> again = generate(model, prompts, new long[] {7, 8}, p, EngineOptions.defaults());
        List<Rollout> other = generate(model, prompts, new long[] {9, 10}, p, EngineOptions.defaults());
        for (int i = 0; i < prompts.size(); i++) {
            assertThat(again.get(i).completionIds()).containsExactly(first.get(i).completionIds());
            assertThat(again.get(i).tokenLogprobs()).containsExactly(first.get(i).tokenLogprobs());
            assertThat(other.get(i).completionIds()).isNotEqualTo(first.get(i).completionIds());
        }
    }

    /** Signals within 1e-4 as for the step engine: padding changes which masked positions exist, not the logits' values. */
    @Test
    void aRowsRolloutDoesNotDependOnItsBatchOrOnHowRowsAreGroupedIntoRuns() {
        ModelDirectory model = Fixtures.gpt2();
        int[] subject = {11, 12, 13};
        List<int[]> batch = List.of(new int[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, subject, new int[] {900, 800});
        long[] seeds = {1, 5, 101};
        for (SamplingParams p : List.of(SamplingParams.greedy(10), new SamplingParams(1.0, 0, 1, 10),
                new SamplingParams(0.8, 20, 0.9, 10))) {
            Rollout alone = generate(model, List.of(subject), new long[] {5}, p, EngineOptions.defaults()).getFirst();
            Rollout inBatch = generate(model, batch, seeds, p, EngineOptions.defaults()).get(1);
            List<Rollout> grouped;
            try (GraphRolloutEngine engine = new GraphRolloutEngine(model, EngineOptions.defaults().withPrefillLogitsBudget(1))) {
                grouped = engine.generate(requests(batch, seeds), p);
                assertThat(engine.stats().prefillRuns()).as("one run per row").isEqualTo(batch.size());
            }
            for (Rollout r : List.of(inBatch, grouped.get(1))) {
                assertThat(r.completionIds()).as("%s", p).containsExactly(alone.completionIds());
                for (int k = 0; k < alone.numTokens(); k++) {
                    assertThat(r.tokenLogprobs()[k]).isCloseTo(alone.tokenLogprobs()[k], within(1e-4));
                    assertThat(r.tokenEntropies()[k]).isCloseTo(alone.tokenEntropies()[k], within(1e-4));
                    assertThat(r.tokenSelfCertainties()[k]).isCloseTo(alone.tokenSelfCertainties()[k], within(1e-4));
                }
            }
        }
    }

    private static List<Rollout> generate(ModelDirectory model, List<int[]> prompts, long[] seeds, SamplingParams p,
            EngineOptions options) {
        try (GraphRolloutEngine engine = new GraphRolloutEngine(model, options)) {
            return engine.generate(requests(prompts, seeds), p);
        }
    }

    private static List<RolloutRequest> requests(List<int[]> prompts, long[] seeds) {
        List<RolloutRequest> out = new ArrayList<>();
        for (int i = 0; i < prompts.size(); i++) {
            out.add(new RolloutRequest(prompts.get(i), seeds[i]));
        }
        return out;
    }
}
