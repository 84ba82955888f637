package rlif.evaluator.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import rlif.evaluator.data.ArithSource;
import rlif.evaluator.data.ArithSpec;
import rlif.evaluator.data.Problem;
import rlif.evaluator.data.ProblemSource;
import rlif.kernels.SignalKernels;
import rlif.models.dir.ModelDirectory;
import rlif.models.tokenizer.ModelTokenizer;

/**
 * The equivalence the teacher-forced path promises: scoring a rollout rlif generated, teacher-forced on the
 * same model at the same temperature, gives back the per-token signals generation recorded for it.
 *
 * <p>The paths differ only in rounding: the logits come from one multi-token pass (or chunks of it)
 * instead of a prefill and one decode step per token, the signals are reduced inside the graph
 * ({@code GraphSignals}, within 1e-7 of the kernels on the same logits: {@code ScoringGraphMatchesKernelTest})
 * instead of by the signal kernel, and rows are right-padded instead of left-padded. Tolerance 1e-5 on
 * float32 models. On float16 logits one float16 ulp of a logit may differ between the paths (each rounds its
 * own float32 products to float16), which moves a signal by at most twice that ulp:
 * {@code max(1e-5, 2 ulp16(max |logit|))}, 7.8e-3 for logits up to 8.
 */
class TeacherForcingMatchesGenerationTest {
    private static final double F32_TOLERANCE = 1e-5;
    /**
     * SmolLM2 rollouts generated in a padded batch: generation itself gives a row slightly different logits in
     * a batch than alone (left padding changes the length of the attention products, so ORT adds in another
     * order), which {@code BatchIndependenceTest} bounds by 1e-4 for the engine. Teacher forcing is
     * batch-invariant and matches a rollout generated alone to 1.5e-6 (the vector kernel's own error; 1e-7 with
     * the scalar kernel), so its difference from batched generation is generation's own batch noise: up to
     * 4e-5 seen, hence this bound.
     */
    private static final double SMOLLM2_BATCHED_TOLERANCE = 1e-4;

    /** Largest |teacher-forced - generated| per signal over a check: log-prob, entropy, self-certainty. */
    record Worst(double logprob, double entropy, double selfCertainty, int tokens) {
        double max() {
            return Math.max(logprob, Math.max(entropy, selfCertainty));
        }
    }

    static Path committed(String name) {
        Path p = Path.of("..", "models", name).toAbsolutePath().normalize();
        assertThat(Files.isRegularFile(p.resolve("model.onnx"))).as("the committed model %s is missing", p).isTrue();
        return p;
    }

    static List<int[]> arithPrompts(ModelDirectory model, int n) {
        List<int[]> prompts = new ArrayList<>();
        try (ModelTokenizer tok = model.openTokenizer();
                ProblemSource.Problems it = new ArithSource(ArithSpec.parse("arith:level=1,steps=2,split=test")).open()) {
            while (prompts.size() < n && it.hasNext()) {
                Problem p = it.next();
                prompts.add(tok.encode(p.promptText(), true));
            }
        }
        return prompts;
    }

    /** Two samples per prompt (greedy: one), generated in one padded batch or ({@code alone}) one request at a time. */
    static List<Rollout> generate(ModelDirectory model, List<int[]> prompts, SamplingParams params, boolean alone) {
        List<RolloutRequest> requests = new ArrayList<>();
        for (int i = 0; i < prompts.size(); i++) {
            for (int s = 0; s < (params.isGreedy() ? 1 : 2); s++) {
                requests.add(new RolloutRequest(prompts.get(i), 1000L * i + s));
            }
        }
        try (OnnxRolloutEngine engine = new OnnxRolloutEngine(model, EngineOptions.defaults(), SignalKernels.create("auto"))) {
            if (!alone) {
                return engine.generate(requests, params);
            }
            List<Rollout> out = new ArrayList<>();
            for (RolloutRequest r : requests) {
                out.add(engine.generate(List.of(r), params).getFirst());
            }
            return out;
        }
    }

    /** Generates rollouts in one padded batch with {@code params}, then scores them teacher-forced. */
    static Worst check(ModelDirectory model, List<int[]> prompts, SamplingParams params, EngineOptions options, double tol) {
        return compare(model, generate(model, prompts, params, false), params, options, tol, "in a batch");
    }

    /** Scores {@code generated} teacher-forced (one batch) and compares every per-token signal. */
    static Worst compare(ModelDirectory model, List<Rollout> generated, SamplingParams params, EngineOptions options,
            double tol, String how) {
        List<ForcedRequest> forced = generated.stream()
                .map(r -> new ForcedRequest(r.promptIds(), r.completionIds())).toList();
        List<Rollout> scored;
        try (OnnxTeacherForcing tf = new OnnxTeacherForcing(model, options)) {
            scored = tf.score(forced, params.signalTemperature());
        }
        double lp = 0;
        double h = 0;
        double sc = 0;
        int tokens = 0;
        for (int i = 0; i < generated.size(); i++) {
            Rollout g = generated.get(i);
            Rollout t = scored.get(i);
            assertThat(t.completionIds()).isEqualTo(g.completionIds());
            if (g.finishReason() != FinishReason.NON_FINITE) {
                assertThat(t.finishReason()).as("row %d", i).isEqualTo(g.finishReason());
            }
            for (int k = 0; k < g.numTokens(); k++) {
                String at = "row " + i + " token " + k + " (" + model.dir().getFileName() + ", T=" + params.signalTemperature() + ")";
                lp = Math.max(lp, close(at + " log-prob", t.tokenLogprobs()[k], g.tokenLogprobs()[k], tol));
                h = Math.max(h, close(at + " entropy", t.tokenEntropies()[k], g.tokenEntropies()[k], tol));
                sc = Math.max(sc, close(at + " self-certainty", t.tokenSelfCertainties()[k], g.tokenSelfCertainties()[k], tol));
                tokens++;
            }
        }
        Worst w = new Worst(lp, h, sc, tokens);
        System.out.printf("teacher-forced vs generated %s, %s, T=%s, chunk budget %d B: %d tokens, largest differences"
                        + " log-prob %.3g, entropy %.3g, self-certainty %.3g%n", how, model.dir().getFileName(),
                params.signalTemperature(), options.prefillLogitsBudget(), tokens, lp, h, sc);
        return w;
    }

    private static double close(String what, double actual, double expected, double tol) {
        double d = Math.abs(actual - expected);
        assertThat(d).as("%s: teacher-forced %s, generated %s", what, actual, expected).isLessThanOrEqualTo(tol);
        return d;
    }

    @Test
    void arithBaseFloat32SignalsEqualGenerationTimeSignals() {
        ModelDirectory model = ModelDirectory.open(committed("arith-base"));
        List<int[]> prompts = arithPrompts(model, 6);
        Worst greedy = check(model, prompts, SamplingParams.greedy(40), EngineOptions.defaults(), F32_TOLERANCE);
        Worst sampled = check(model, prompts, new SamplingParams(0.7, 0, 1, 40), EngineOptions.defaults(), F32_TOLERANCE);
        assertThat(greedy.tokens() + sampled.tokens()).isGreaterThan(100);
    }

    @Test
    void chunksThroughTheCacheGiveTheSameSignalsAsOneRun() {
        ModelDirectory model = ModelDirectory.open(committed("arith-base"));
        List<int[]> prompts = arithPrompts(model, 4);
        try (OnnxTeacherForcing tf = new OnnxTeacherForcing(model, EngineOptions.defaults())) {
            assertThat(tf.chunksThroughCache()).as("an rlif decoder takes chunks through its cache").isTrue();
        }
        // a budget of 3 columns per run forces many chunks of 3 positions through the cache
        long threeColumns = 3L * 8 * model.config().vocab() * Float.BYTES;
        check(model, prompts, new SamplingParams(1.0, 0, 1, 40), EngineOptions.defaults().withPrefillLogitsBudget(threeColumns),
                F32_TOLERANCE);
    }

    /**
     * The ORT-GenAI llama export refuses several new tokens on a non-empty cache, so it is scored in whole rows;
     * a budget of one row's logits forces one run per row, which must give the same signals.
     */
    @Test
    void decodersThatRefuseChunksAreScoredInGroupsOfWholeRows() {
        ModelDirectory model = Fixtures.llama();
        try (OnnxTeacherForcing tf = new OnnxTeacherForcing(model, EngineOptions.defaults())) {
            assertThat(tf.chunksThroughCache()).isFalse();
        }
        try (OnnxTeacherForcing tf = new OnnxTeacherForcing(Fixtures.gpt2(), EngineOptions.defaults())) {
            assertThat(tf.chunksThroughCache()).as("the ORT-GenAI GPT-2 export takes chunks").isTrue();
        }
        List<int[]> prompts;
        try (ModelTokenizer tok = model.openTokenizer()) {
            prompts = List.of(tok.encode("Natalia sold clips to 48 of her friends in April.", true),
                    tok.encode("What is 2 + 3?", true), tok.encode("A", true));
        }
        long oneShortRow = 8L * model.config().vocab() * Float.BYTES;
        check(model, prompts, new SamplingParams(1.0, 0, 1, 16), EngineOptions.defaults().withPrefillLogitsBudget(oneShortRow),
                Math.max(F32_TOLERANCE, 2 * 0x1p-10 * 4));
    }

    @Test
    void gpt2Float32FixtureSignalsEqualGenerationTimeSignals() {
        ModelDirectory model = Fixtures.gpt2();
        List<int[]> prompts = List.of(new int[] {5, 17, 300, 42, 7, 8}, new int[] {998, 1, 2}, new int[] {77});
        check(model, prompts, SamplingParams.greedy(24), EngineOptions.defaults(), F32_TOLERANCE);
        check(model, prompts, new SamplingParams(0.7, 0, 1, 24), EngineOptions.defaults(), F32_TOLERANCE);
    }

    @Test
    void llamaFloat16FixtureSignalsEqualGenerationTimeSignalsWithinHalfPrecision() {
        ModelDirectory model = Fixtures.llama();
        List<int[]> prompts;
        try (ModelTokenizer tok = model.openTokenizer()) {
            prompts = List.of(tok.encode("Natalia sold clips to 48 of her friends in April.", true),
                    tok.encode("What is 2 + 3?", true));
        }
        double tol = Math.max(F32_TOLERANCE, 2 * 0x1p-10 * 4);
        check(model, prompts, SamplingParams.greedy(16), EngineOptions.defaults(), tol);
        check(model, prompts, new SamplingParams(0.7, 0, 1, 16), EngineOptions.defaults(), tol);
    }

    /**
     * SmolLM2-135M in float32 (vocabulary 49152), when a directory is given with {@code -Drlif.smollm2.dir}
     * (an {@code rlif import} of the GGUF that {@code models/fetch-smollm2.sh} fetches); a 500 MB model is too
     * large for every test run.
     */
    @Test
    void smolLm2Float32SignalsEqualGenerationTimeSignals() {
        String dir = System.getProperty("rlif.smollm2.dir");
        Assumptions.assumeTrue(dir != null && !dir.isBlank(), "set -Drlif.smollm2.dir to an fp32 import of SmolLM2");
        ModelDirectory model = ModelDirectory.open(Path.of(dir));
        List<int[]> prompts = new ArrayList<>();
        try (ModelTokenizer tok = model.openTokenizer()) {
            for (String q : List.of("Natalia sold clips to 48 of her friends in April, and then she sold half as many"
                    + " clips in May. How many clips did Natalia sell altogether?", "What is 12 times 7?", "Question: 3 + 4 =")) {
                prompts.add(tok.encode(q, true));
            }
        }
        for (SamplingParams params : List.of(SamplingParams.greedy(32), new SamplingParams(0.7, 0, 1, 32))) {
            compare(model, generate(model, prompts, params, true), params, EngineOptions.defaults(), F32_TOLERANCE, "alone");
            compare(model, generate(model, prompts, params, false), params, EngineOptions.defaults(), SMOLLM2_BATCHED_TOLERANCE,
                    "in a batch");
        }
    }
}
