package rlif.evaluator.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import rlif.models.dir.ModelDirectory;
import rlif.models.tokenizer.ModelTokenizer;

/**
 * The generation graph against the step engine on real decoders: both ORT-GenAI fixtures (contrib ops; int32 ids
 * and a stacked cache in GPT-2, float16 in llama), both arith models and SmolLM2. Greedy rollouts of a left-padded
 * batch must be the same tokens with the same finish reasons; per-token signals within 1e-5.
 *
 * <p>Why 1e-5: the generation graph reduces the signals in float64 from the same float32 (or float16) logits, which
 * puts them within ~1e-11 of a double computation (see {@link GraphSignalsMatchTeacherForcingTest}); the step
 * engine's vector kernel sums float32 exponentials in blocks of 128 before moving to double, within 1e-4 by its
 * contract and ~2e-6 as measured on these models (docs/signals.md). So 1e-5 holds with the step engine's own error as
 * the margin, for float16 logits too: both engines read the same float16 values.
 */
class GraphEngineEquivalenceTest {
    private static final double TOL = 1e-5;

    @Test
    void gpt2Fixture() {
        compare(Fixtures.gpt2(), List.of(new int[] {5, 17, 300, 42}, new int[] {998, 1, 2}, new int[] {77}), 12);
    }

    @Test
    void llamaFloat16Fixture() {
        ModelDirectory model = Fixtures.llama();
        compare(model, encode(model, "Natalia sold clips to 48 of her friends in April.", "What is 2 + 3?", "Hello"), 12);
    }

    @Test
    void arithModels() {
        for (String name : List.of("arith-base", "arith-instruct")) {
            ModelDirectory model = ModelDirectory.open(Path.of("../models", name));
            compare(model, encode(model, "Q: 12+7-3=? A:", "Q: 5*3+2=? A:", "Q: 9-4=? A:"), 40);
        }
    }

    @Test
    void smolLm2() {
        ModelDirectory model = SmolLm2.open();
        compare(model, encode(model, SmolLm2.chat("What is the capital of France?"), SmolLm2.chat("What is 2+3?")), 16);
    }

    static List<int[]> encode(ModelDirectory model, String... texts) {
        List<int[]> out = new ArrayList<>();
        try (ModelTokenizer tok = model.openTokenizer()) {
            for (String t : texts) {
                out.add(tok.encode(t, !t.startsWith("<|im_start|>")));
            }
        }
        return out;
    }

    private static void compare(ModelDirectory model, List<int[]> prompts, int maxNew) {
        List<RolloutRequest> batch = prompts.stream().map(p -> new RolloutRequest(p, 1)).toList();
        List<Rollout> step;
        try (OnnxRolloutEngine engine = new OnnxRolloutEngine(model)) {
            step = engine.generate(batch, SamplingParams.greedy(maxNew));
        }
        List<Rollout> graph;
        try (GraphRolloutEngine engine = new GraphRolloutEngine(model, EngineOptions.defaults())) {
            graph = engine.generate(batch, SamplingParams.greedy(maxNew));
        }
        double worst = 0;
        int tokens = 0;
        for (int i = 0; i < prompts.size(); i++) {
            Rollout s = step.get(i);
            Rollout g = graph.get(i);
            String where = model.dir().getFileName() + " prompt " + i;
            assertThat(g.completionIds()).as(where).containsExactly(s.completionIds());
            assertThat(g.finishReason()).as(where).isEqualTo(s.finishReason());
            for (int k = 0; k < s.numTokens(); k++) {
                assertThat(g.tokenLogprobs()[k]).as(where + " log-prob " + k).isCloseTo(s.tokenLogprobs()[k], within(TOL));
                assertThat(g.tokenEntropies()[k]).as(where + " entropy " + k).isCloseTo(s.tokenEntropies()[k], within(TOL));
                assertThat(g.tokenSelfCertainties()[k]).as(where + " self-certainty " + k)
                        .isCloseTo(s.tokenSelfCertainties()[k], within(TOL));
                worst = Math.max(worst, Math.abs(g.tokenLogprobs()[k] - s.tokenLogprobs()[k]));
                worst = Math.max(worst, Math.abs(g.tokenEntropies()[k] - s.tokenEntropies()[k]));
                worst = Math.max(worst, Math.abs(g.tokenSelfCertainties()[k] - s.tokenSelfCertainties()[k]));
            }
            tokens += s.numTokens();
        }
        System.out.printf("%s: %d greedy tokens identical, largest signal difference graph vs step %.2e%n",
                model.dir().getFileName(), tokens, worst);
    }
}
