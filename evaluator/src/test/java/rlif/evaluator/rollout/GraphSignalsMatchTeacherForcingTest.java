package rlif.evaluator.rollout;

import java.util.List;
import org.junit.jupiter.api.Test;
import rlif.models.dir.ModelDirectory;

/**
 * The generation graph's per-token signals, greedy and sampled (plain, top-k, top-p), equal a double-precision
 * computation ({@link TeacherForcedSignals}) from the logits of one teacher-forced run over prompt + completion
 * ({@link FullSequenceReference}, no cache, nothing shared with the graph).
 *
 * <p>float32 logits: 1e-5. The graph reduces in float64 from the float32 logits, and the cached and the
 * teacher-forced runs give the same float32 logits up to summation order, so what remains is ~1e-11 (measured).
 * float16 logits: {@code max(1e-5, 2 ulp16(max |logit|))}, for the reason {@link SignalsMatchTeacherForcingTest}
 * gives: the two runs round their logits to float16 on their own.
 */
class GraphSignalsMatchTeacherForcingTest {
    private static final double F32_TOLERANCE = 1e-5;

    @Test
    void gpt2Float32() throws Exception {
        List<int[]> prompts = List.of(new int[] {5, 17, 300, 42, 7, 8}, new int[] {998, 1, 2}, new int[] {77});
        for (SamplingParams p : settings()) {
            check(Fixtures.gpt2(), prompts, p, F32_TOLERANCE);
        }
    }

    @Test
    void llamaFloat16() throws Exception {
        ModelDirectory model = Fixtures.llama();
        List<int[]> prompts = GraphEngineEquivalenceTest.encode(model, "Natalia sold clips to 48 of her friends in April.",
                "What is 2 + 3?");
        for (SamplingParams p : settings()) {
            check(model, prompts, p, -1);
        }
    }

    @Test
    void smolLm2Float32() throws Exception {
        ModelDirectory model = SmolLm2.open();
        List<int[]> prompts = GraphEngineEquivalenceTest.encode(model, SmolLm2.chat("Name a colour."));
        check(model, prompts, new SamplingParams(0.8, 0, 1, 12), F32_TOLERANCE);
        check(model, prompts, new SamplingParams(1.0, 40, 0.9, 12), F32_TOLERANCE);
    }

    private static List<SamplingParams> settings() {
        return List.of(SamplingParams.greedy(10), new SamplingParams(0.7, 0, 1, 10), new SamplingParams(1.3, 5, 1, 10),
                new SamplingParams(1.0, 0, 0.8, 10));
    }

    /** {@code fixedTol < 0} asks for the float16 bound. */
    private static void check(ModelDirectory model, List<int[]> prompts, SamplingParams params, double fixedTol)
            throws Exception {
        List<RolloutRequest> batch = prompts.stream().map(p -> new RolloutRequest(p, 11)).toList();
        List<Rollout> rollouts;
        try (GraphRolloutEngine engine = new GraphRolloutEngine(model, EngineOptions.defaults())) {
            rollouts = engine.generate(batch, params);
        }
        double worst = SignalsMatchTeacherForcingTest.assertMatchTeacherForcing(model, prompts, rollouts,
                params.signalTemperature(), logits -> fixedTol >= 0 ? fixedTol
                        : Math.max(F32_TOLERANCE, SignalsMatchTeacherForcingTest.twoUlp16(logits)));
        System.out.printf("%s %s: graph signals vs teacher-forced double reference, largest difference %.3g%n",
                model.dir().getFileName(), params, worst);
    }
}
