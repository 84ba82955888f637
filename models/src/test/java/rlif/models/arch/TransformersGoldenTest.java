package rlif.models.arch;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import rlif.models.importer.SafetensorsCheckpoint;
import rlif.models.tensor.DType;

/**
 * Checkpoints saved by transformers 5.25 itself ({@code tools/interop_check.py goldens}: its config.json spelling
 * with {@code rope_parameters} and {@code layer_types}, float16 safetensors) built by rlif and compared with the
 * logits transformers computed for them. Covers Llama with GQA and tied embeddings at theta 5e5, Llama 3 rope
 * scaling, Qwen2 biases at theta 1e6, Qwen2 and Mistral sliding windows of 3 over 8 tokens, Qwen3 with a
 * head_dim that is not hidden/heads, and GPT-2.
 *
 * <p>Tolerance 1e-4 absolute on logits of magnitude up to ~15: both sides compute in float32 from the same
 * float16 weights; the differences seen are 1e-6 to 4e-6 (summation order). A wrong rope theta, a missing window
 * or a transposed weight moves logits by more than 0.1.
 */
class TransformersGoldenTest {
    static final Path GOLDENS = Path.of("src/test/resources/interop");
    static final double TOL = 1e-4;

    @ParameterizedTest
    @ValueSource(strings = {"llama_gqa_tied", "llama3_scaled", "qwen2", "qwen2_sliding", "qwen3", "mistral_sliding", "gpt2"})
    void rlifGraphGivesTransformersLogits(String name) throws Exception {
        Path dir = GOLDENS.resolve(name);
        JsonNode expected = new ObjectMapper().readTree(dir.resolve("expected.json").toFile());
        try (SafetensorsCheckpoint ckpt = SafetensorsCheckpoint.open(dir)) {
            DecoderConfig config = HfConfig.parse(ckpt.config().toString(), dir + "/config.json");
            var graph = Decoders.build(config, ckpt.weights(), new DecoderOptions(DType.F32, false, LayerHooks.DEFAULT));
            double maxDiff = maxDiff(graph, config, expected);
            System.out.printf("%s: max |logit - transformers| %.2e%n", name, maxDiff);
            assertThat(maxDiff).isLessThan(TOL);
        }
    }

    /** The largest absolute difference between {@code graph}'s logits for {@code expected.ids} and {@code expected.logits}. */
    static double maxDiff(rlif.models.graph.GraphBuilder graph, DecoderConfig config, JsonNode expected) throws Exception {
        int n = expected.get("ids").size();
        long[][] ids = new long[1][n];
        long[][] mask = new long[1][n];
        long[][] pos = new long[1][n];
        for (int t = 0; t < n; t++) {
            ids[0][t] = expected.get("ids").get(t).asLong();
            mask[0][t] = 1;
            pos[0][t] = t;
        }
        double max = 0;
        try (DecoderSession s = new DecoderSession(graph, config, DType.F32, false)) {
            s.reset(1);
            float[][][] logits = s.step(ids, mask, pos);
            for (int t = 0; t < n; t++) {
                for (int v = 0; v < config.vocabSize(); v++) {
                    max = Math.max(max, Math.abs(logits[0][t][v] - expected.get("logits").get(t).get(v).asDouble()));
                }
            }
        }
        return max;
    }
}
