package rlif.evaluator.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import rlif.kernels.SignalKernels;
import rlif.models.arch.LinearWeights;
import rlif.models.arch.TinyQuantizedGguf;
import rlif.models.dir.ModelDirectory;
import rlif.models.importer.ImportDtype;

/**
 * Rollouts of an {@code import --dtype int4 --accuracy-level 1} model (4-bit GGUF blocks multiplied by ONNX
 * Runtime's {@code MatMulNBits} in float32) against the fp32 import of the same GGUF, which is the dequantized model
 * (its floats are ggml's dequantization bit for bit, {@code GgufQuantizedTest}): the same greedy and sampled tokens,
 * and per-token signals within 1e-4. The two decoders differ only in float32 summation order (their logits within
 * 9e-6 in {@code QuantizedImportTest}); a log-probability moves by at most twice the largest logit difference and
 * entropy and self-certainty by that times the logit spread (a few units here), so 1e-4 leaves a margin, the
 * tolerance {@link SignalsMatchTeacherForcingTest} uses for the same kind of difference. The import's default level 4
 * rounds activations to int8 and is not this close: docs/quantization.md measures it on SmolLM2.
 *
 * <p>The int4 import's attention is ONNX Runtime's fused {@code GroupQueryAttention} (the fp32 import's is standard
 * ops), so these rows, left-padded to one batch, also pin that operator's use on padded rows, in generation and in
 * teacher-forced scoring (which ONNX Runtime lets feed a chunk through the cache for one row only).
 */
class QuantizedRolloutTest {
    @TempDir
    Path dir;

    private static List<RolloutRequest> requests() {
        int[][] prompts = {{4, 0, 3, 2}, {4, 1, 1}, {4, 2, 0, 3, 1, 0}};
        return java.util.stream.IntStream.range(0, prompts.length)
                .mapToObj(i -> new RolloutRequest(prompts[i], 7 + i)).toList();
    }

    private static List<Rollout> generate(Path model, SamplingParams params) {
        try (OnnxRolloutEngine engine = new OnnxRolloutEngine(ModelDirectory.open(model),
                EngineOptions.defaults().ignoringEos(), SignalKernels.create("scalar"))) {
            return engine.generate(requests(), params);
        }
    }

    /** The tiny GGUF imported as fp32 (the dequantized model) and as int4 at accuracy level 1. */
    private Path fp32;
    private Path int4;

    @BeforeEach
    void importBoth() throws Exception {
        Path gguf = TinyQuantizedGguf.write(dir.resolve("tiny.gguf"));
        fp32 = TinyQuantizedGguf.imported(gguf, dir.resolve("fp32"), ImportDtype.FP32, ImportDtype.FP32.linears());
        int4 = TinyQuantizedGguf.imported(gguf, dir.resolve("int4"), ImportDtype.INT4,
                LinearWeights.quantized(4).withAccuracyLevel(1));
    }

    @Test
    void int4RolloutsMatchTheDequantizedFp32Model() throws Exception {
        // q, k, o, gate, up and down stay 4-bit blocks; at level 1 the Q8_0 ones (v, the tied head) are float32.
        var rlifJson = new com.fasterxml.jackson.databind.ObjectMapper().readTree(int4.resolve("rlif.json").toFile());
        assertThat(rlifJson.path("quantized_linears").path("int4").asInt()).isEqualTo(6);
        assertThat(rlifJson.path("attention").path("layers").asInt()).as("GroupQueryAttention layers").isEqualTo(1);
        double worst = 0;
        for (SamplingParams params : List.of(SamplingParams.greedy(24), new SamplingParams(1.0, 0, 1, 24))) {
            List<Rollout> want = generate(fp32, params);
            List<Rollout> got = generate(int4, params);
            for (int r = 0; r < want.size(); r++) {
                assertThat(got.get(r).completionIds()).as("row %d at T=%s", r, params.temperature())
                        .containsExactly(want.get(r).completionIds());
                assertThat(got.get(r).numTokens()).isEqualTo(24);
            }
            worst = Math.max(worst, worstSignalDifference(want, got));
        }
        System.out.printf("[int4 rollouts] largest per-token signal difference vs the fp32 import: %.2e%n", worst);
        assertThat(worst).isLessThan(1e-4);
    }

    @Test
    void int4TeacherForcedSignalsMatchTheDequantizedFp32Model() throws Exception {
        List<ForcedRequest> batch = generate(fp32, SamplingParams.greedy(12)).stream()
                .map(r -> new ForcedRequest(r.promptIds(), r.completionIds())).toList();
        List<Rollout> want = score(fp32, batch);
        List<Rollout> got = score(int4, batch);
        double worst = worstSignalDifference(want, got);
        System.out.printf("[int4 teacher-forced] largest per-token signal difference vs the fp32 import: %.2e%n", worst);
        assertThat(worst).isLessThan(1e-4);
    }

    /** The largest per-token log-prob, entropy or self-certainty difference between rows of the same tokens. */
    private static double worstSignalDifference(List<Rollout> want, List<Rollout> got) {
        double worst = 0;
        for (int r = 0; r < want.size(); r++) {
            for (int t = 0; t < want.get(r).numTokens(); t++) {
                worst = Math.max(worst, Math.abs(got.get(r).tokenLogprobs()[t] - want.get(r).tokenLogprobs()[t]));
                worst = Math.max(worst, Math.abs(got.get(r).tokenEntropies()[t] - want.get(r).tokenEntropies()[t]));
                worst = Math.max(worst, Math.abs(got.get(r).tokenSelfCertainties()[t]
                        - want.get(r).tokenSelfCertainties()[t]));
            }
        }
        return worst;
    }

    /** Scored in runs of 3 columns, each on top of the cache of the ones before (where the decoder takes that). */
    private static List<Rollout> score(Path model, List<ForcedRequest> batch) {
        ModelDirectory dir = ModelDirectory.open(model);
        long threeColumns = 3L * batch.size() * dir.config().vocab() * Float.BYTES;
        try (OnnxTeacherForcing tf = new OnnxTeacherForcing(dir, EngineOptions.defaults().withPrefillLogitsBudget(threeColumns))) {
            return tf.score(batch, 1.0);
        }
    }
}
