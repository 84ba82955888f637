package rlif.evaluator.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;
import rlif.models.dir.ModelDirectory;
import rlif.models.tokenizer.ModelTokenizer;

/**
 * Evidence (c): the engine's per-token signals, computed per decode step from the carried cache,
 * equal a double-precision computation from the logits of one teacher-forced run over prompt + completion.
 */
class SignalsMatchTeacherForcingTest {

    /** float32 logits: both paths see the same float32 values up to summation order; 1e-4 absolute. */
    private static final double F32_TOLERANCE = 1e-4;

    @Test
    void gpt2Float32SignalsMatchGreedyAndSampled() throws Exception {
        ModelDirectory model = Fixtures.gpt2();
        List<int[]> prompts = List.of(new int[] {5, 17, 300, 42, 7, 8}, new int[] {998, 1, 2}, new int[] {77});
        check(model, prompts, SamplingParams.greedy(10), F32_TOLERANCE);
        check(model, prompts, new SamplingParams(0.7, 0, 1, 10), F32_TOLERANCE);
    }

    /**
     * float16 logits: the cached and the teacher-forced run each round their logits to float16 on their
     * own, so they may legitimately differ by one float16 ulp per logit if ONNX Runtime sums in a
     * different order with and without a cache. Every signal moves by at most twice the largest logit
     * change (logsumexp and the mean are 1-Lipschitz in the max norm; the chosen log-prob adds one
     * logit; entropy is bounded likewise for these near-uniform rows), so the bound is
     * {@code max(1e-4, 2 ulp16(max |logit|))}, computed from the logits themselves. Measured on this
     * machine the two paths give bit-identical float16 logits (largest difference ~1e-14).
     */
    private static double f16Tolerance(double[][] logits) {
        return Math.max(1e-4, twoUlp16(logits));
    }

    /** Two float16 ulps of the largest logit magnitude. */
    static double twoUlp16(double[][] logits) {
        double maxAbs = 0;
        for (double[] row : logits) {
            for (double v : row) {
                maxAbs = Math.max(maxAbs, Math.abs(v));
            }
        }
        double ulp16 = Math.scalb(1.0, Math.getExponent((float) Math.max(maxAbs, 0x1p-14)) - 10);
        return 2 * ulp16;
    }

    @Test
    void llamaFloat16SignalsMatchWithinHalfPrecisionRounding() throws Exception {
        ModelDirectory model = Fixtures.llama();
        List<int[]> prompts;
        try (ModelTokenizer tok = model.openTokenizer()) {
            prompts = List.of(tok.encode("Natalia sold clips to 48 of her friends in April.", true),
                    tok.encode("What is 2 + 3?", true));
        }
        check(model, prompts, SamplingParams.greedy(10), -1);
        check(model, prompts, new SamplingParams(0.7, 0, 1, 10), -1);
    }

    /** {@code fixedTol < 0} asks for the float16 bound of {@link #f16Tolerance}. */
    private static void check(ModelDirectory model, List<int[]> prompts, SamplingParams params, double fixedTol)
            throws Exception {
        List<RolloutRequest> batch = prompts.stream().map(p -> new RolloutRequest(p, 11)).toList();
        List<Rollout> rollouts;
        try (OnnxRolloutEngine engine = new OnnxRolloutEngine(model)) {
            rollouts = engine.generate(batch, params);
        }
        double t = params.signalTemperature();
        double worst = assertMatchTeacherForcing(model, prompts, rollouts, t,
                logits -> fixedTol >= 0 ? fixedTol : f16Tolerance(logits));
        System.out.printf("%s T=%s: largest signal difference %.3g%n", model.config().architecture(), t, worst);
    }

    /**
     * Asserts every per-token signal of {@code rollouts} (one per prompt) equals {@link TeacherForcedSignals} from one
     * teacher-forced run over prompt + completion, within {@code tolerance} of that run's logits; returns the largest
     * difference.
     */
    static double assertMatchTeacherForcing(ModelDirectory model, List<int[]> prompts, List<Rollout> rollouts, double t,
            java.util.function.ToDoubleFunction<double[][]> tolerance) throws Exception {
        double worst = 0;
        try (FullSequenceReference ref = new FullSequenceReference(model)) {
            for (int i = 0; i < prompts.size(); i++) {
                Rollout r = rollouts.get(i);
                int[] prompt = prompts.get(i);
                int[] seq = new int[prompt.length + r.numTokens() - 1];
                System.arraycopy(prompt, 0, seq, 0, prompt.length);
                System.arraycopy(r.completionIds(), 0, seq, prompt.length, r.numTokens() - 1);
                double[][] logits = ref.logits(seq);
                double tol = tolerance.applyAsDouble(logits);
                for (int k = 0; k < r.numTokens(); k++) {
                    TeacherForcedSignals want = TeacherForcedSignals.of(logits[prompt.length - 1 + k], t,
                            r.completionIds()[k]);
                    String where = "T=" + t + " prompt " + i + " token " + k;
                    assertThat(r.tokenLogprobs()[k]).as(where + " log-prob").isCloseTo(want.logprob(), within(tol));
                    assertThat(r.tokenEntropies()[k]).as(where + " entropy").isCloseTo(want.entropy(), within(tol));
                    assertThat(r.tokenSelfCertainties()[k]).as(where + " self-certainty")
                            .isCloseTo(want.selfCertainty(), within(tol));
                    worst = Math.max(worst, Math.abs(r.tokenLogprobs()[k] - want.logprob()));
                    worst = Math.max(worst, Math.abs(r.tokenEntropies()[k] - want.entropy()));
                    worst = Math.max(worst, Math.abs(r.tokenSelfCertainties()[k] - want.selfCertainty()));
                }
            }
        }
        return worst;
    }
}
