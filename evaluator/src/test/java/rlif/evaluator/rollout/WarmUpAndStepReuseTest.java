package rlif.evaluator.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import rlif.kernels.SignalKernels;
import rlif.models.dir.ModelDirectory;

/**
 * Warming an engine up changes nothing it generates and is not counted in its stats; decode steps that reuse
 * their input tensors (rows unchanged, then fewer rows after compaction) give what fresh engines give.
 */
class WarmUpAndStepReuseTest {
    private static List<RolloutRequest> requests() {
        List<RolloutRequest> out = new ArrayList<>();
        int[][] prompts = {{5, 17, 300, 42}, {998, 1, 2, 3, 4, 5, 6}, {77}};
        for (int i = 0; i < prompts.length; i++) {
            out.add(new RolloutRequest(prompts[i], 40 + i));
        }
        return out;
    }

    @Test
    void warmUpIsInvisibleInRolloutsAndStats() {
        ModelDirectory model = Fixtures.llama(); // float16 logits: the kernel's widening path is warmed too
        {
            SamplingParams params = new SamplingParams(0.9, 0, 1, 12);
            List<Rollout> cold;
            try (OnnxRolloutEngine engine = new OnnxRolloutEngine(model)) {
                cold = engine.generate(requests(), params);
            }
            try (OnnxRolloutEngine engine = new OnnxRolloutEngine(model, EngineOptions.defaults(),
                    SignalKernels.create("vector"))) {
                engine.warmUp(3);
                assertThat(engine.stats()).isEqualTo(RolloutStats.ZERO);
                List<Rollout> warm = engine.generate(requests(), params);
                for (int i = 0; i < cold.size(); i++) {
                    assertThat(warm.get(i).completionIds()).containsExactly(cold.get(i).completionIds());
                    assertThat(warm.get(i).tokenLogprobs()).containsExactly(cold.get(i).tokenLogprobs());
                    assertThat(warm.get(i).tokenEntropies()).containsExactly(cold.get(i).tokenEntropies());
                }
                assertThat(engine.stats().tokens()).isEqualTo(3 * 12);
            }
        }
    }

    @Test
    void repeatedGenerateCallsOnOneEngineMatchFreshEngines() {
        ModelDirectory model = Fixtures.llama();
        SamplingParams params = SamplingParams.greedy(10);
        try (OnnxRolloutEngine reused = new OnnxRolloutEngine(model)) {
            List<Rollout> first = reused.generate(requests(), params);
            List<Rollout> single = reused.generate(requests().subList(0, 1), params);
            List<Rollout> again = reused.generate(requests(), params);
            for (int i = 0; i < first.size(); i++) {
                assertThat(again.get(i).completionIds()).containsExactly(first.get(i).completionIds());
            }
            try (OnnxRolloutEngine fresh = new OnnxRolloutEngine(model)) {
                assertThat(fresh.generate(requests().subList(0, 1), params).get(0).completionIds())
                        .containsExactly(single.get(0).completionIds());
            }
        }
    }
}
