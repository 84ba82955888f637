package rlif.evaluator.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import rlif.models.dir.ModelDirectory;
import rlif.models.dir.ModelLayout;

/** The same decoder laid out the Optimum way decodes exactly as its ORT-GenAI directory does. */
class LayoutsDecodeAlikeTest {

    @Test
    void optimumCopyOfTheLlamaFixtureGeneratesTheSameRollouts(@TempDir Path tmp) throws IOException {
        Path src = Fixtures.llamaDir();
        Path dir = Files.createDirectory(tmp.resolve("optimum"));
        Files.copy(src.resolve("model.onnx"), dir.resolve("model.onnx"));
        Files.copy(src.resolve("model.onnx.data"), dir.resolve("model.onnx.data"));
        Files.writeString(dir.resolve("config.json"), """
                {"model_type": "llama", "num_attention_heads": 1, "vocab_size": 32000,
                 "max_position_embeddings": 2048, "eos_token_id": 1, "pad_token_id": 2}
                """);
        ModelDirectory optimum = ModelDirectory.open(dir);
        assertThat(optimum.config().layout()).isEqualTo(ModelLayout.OPTIMUM);
        List<RolloutRequest> batch = List.of(new RolloutRequest(new int[] {1, 450, 4996, 17354}, 3),
                new RolloutRequest(new int[] {1, 15043}, 4));
        SamplingParams params = new SamplingParams(0.9, 40, 0.95, 8);
        List<Rollout> a;
        List<Rollout> b;
        try (OnnxRolloutEngine engine = new OnnxRolloutEngine(Fixtures.llama())) {
            a = engine.generate(batch, params);
        }
        try (OnnxRolloutEngine engine = new OnnxRolloutEngine(optimum)) {
            b = engine.generate(batch, params);
        }
        for (int i = 0; i < a.size(); i++) {
            assertThat(b.get(i).completionIds()).containsExactly(a.get(i).completionIds());
            assertThat(b.get(i).tokenEntropies()).containsExactly(a.get(i).tokenEntropies());
        }
    }
}
