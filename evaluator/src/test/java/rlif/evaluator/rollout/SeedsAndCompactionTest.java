package rlif.evaluator.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import rlif.kernels.SignalKernels;
import rlif.models.dir.ModelDirectory;

/**
 * Evidence (d) and the sampler's contract: the same seeds give the same rollouts, other seeds other
 * ones, top-k 1 is greedy, and dropping finished rows from the batch changes nothing but the cost.
 */
class SeedsAndCompactionTest {
    private static final List<int[]> PROMPTS = List.of(
            new int[] {5, 17, 300, 42}, new int[] {998, 1, 2, 3, 4, 5, 6}, new int[] {77}, new int[] {400, 401});

    private static List<RolloutRequest> requests(long seedBase) {
        List<RolloutRequest> out = new ArrayList<>();
        for (int i = 0; i < PROMPTS.size(); i++) {
            out.add(new RolloutRequest(PROMPTS.get(i), seedBase + i));
        }
        return out;
    }

    @Test
    void sameSeedsGiveTheSameSampledRolloutsAndOtherSeedsDiffer() {
        SamplingParams params = new SamplingParams(1.0, 50, 0.95, 16);
        try (OnnxRolloutEngine engine = new OnnxRolloutEngine(Fixtures.gpt2())) {
            List<Rollout> a = engine.generate(requests(1000), params);
            List<Rollout> b = engine.generate(requests(1000), params);
            List<Rollout> c = engine.generate(requests(2000), params);
            for (int i = 0; i < a.size(); i++) {
                assertThat(b.get(i).completionIds()).containsExactly(a.get(i).completionIds());
                assertThat(b.get(i).tokenLogprobs()).containsExactly(a.get(i).tokenLogprobs());
                assertThat(b.get(i).tokenEntropies()).containsExactly(a.get(i).tokenEntropies());
            }
            int differing = 0;
            for (int i = 0; i < a.size(); i++) {
                if (!java.util.Arrays.equals(a.get(i).completionIds(), c.get(i).completionIds())) {
                    differing++;
                }
            }
            // Near-uniform logits over 1000 ids: 16 equal draws in a row by chance is beyond belief.
            assertThat(differing).isEqualTo(a.size());
        }
    }

    @Test
    void topKOneIsGreedy() {
        try (OnnxRolloutEngine engine = new OnnxRolloutEngine(Fixtures.gpt2())) {
            List<Rollout> greedy = engine.generate(requests(1), SamplingParams.greedy(12));
            List<Rollout> topOne = engine.generate(requests(7), new SamplingParams(1.0, 1, 1, 12));
            for (int i = 0; i < greedy.size(); i++) {
                assertThat(topOne.get(i).completionIds()).containsExactly(greedy.get(i).completionIds());
                assertThat(topOne.get(i).tokenLogprobs()).containsExactly(greedy.get(i).tokenLogprobs());
            }
        }
    }

    @Test
    void compactionGivesTheSameRolloutsWithFewerRowSteps(@TempDir Path tmp) throws IOException {
        ModelDirectory original = Fixtures.gpt2();
        // Make rows finish at different steps: declare as eos tokens that greedy decoding reaches early.
        List<Rollout> free;
        try (OnnxRolloutEngine engine = new OnnxRolloutEngine(original)) {
            free = engine.generate(requests(1), SamplingParams.greedy(16));
        }
        int eosA = free.get(0).completionIds()[2];
        int eosB = free.get(2).completionIds()[6];
        ModelDirectory model = Fixtures.gpt2WithEos(tmp, eosA, eosB);
        for (SamplingParams params : List.of(SamplingParams.greedy(16), new SamplingParams(0.8, 0, 1, 16))) {
            RolloutStats compactStats;
            RolloutStats fullStats;
            List<Rollout> compact;
            List<Rollout> full;
            try (OnnxRolloutEngine engine = new OnnxRolloutEngine(model,
                    EngineOptions.defaults().withCompactAtFinishedShare(0), SignalKernels.create("auto"))) {
                compact = engine.generate(requests(1), params);
                compactStats = engine.stats();
            }
            try (OnnxRolloutEngine engine = new OnnxRolloutEngine(model,
                    EngineOptions.defaults().withoutCompaction(), SignalKernels.create("auto"))) {
                full = engine.generate(requests(1), params);
                fullStats = engine.stats();
            }
            if (params.isGreedy()) {
                assertThat(compact.get(0).finishReason()).isEqualTo(FinishReason.EOS);
                assertThat(compactStats.compactions()).isPositive();
                assertThat(compactStats.rowSteps()).isLessThan(fullStats.rowSteps());
            }
            assertThat(fullStats.compactions()).isZero();
            for (int i = 0; i < full.size(); i++) {
                Rollout x = compact.get(i);
                Rollout y = full.get(i);
                assertThat(x.completionIds()).containsExactly(y.completionIds());
                assertThat(x.finishReason()).isEqualTo(y.finishReason());
                for (int k = 0; k < y.numTokens(); k++) {
                    // Trimming shared padding changes the attention length, so float32 sums may round
                    // differently; 1e-4 as in the batch-independence test.
                    assertThat(x.tokenLogprobs()[k]).isCloseTo(y.tokenLogprobs()[k], within(1e-4));
                    assertThat(x.tokenEntropies()[k]).isCloseTo(y.tokenEntropies()[k], within(1e-4));
                }
            }
        }
    }
}
