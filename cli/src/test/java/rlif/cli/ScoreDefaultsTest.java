package rlif.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code rlif score} with only the required flags, on a bundled model whose context is 128 tokens. */
class ScoreDefaultsTest {
    @TempDir
    Path dir;

    @Test
    void theMaxNewTokensDefaultFitsTheModelsContextAndTheRunIsStamped() throws Exception {
        Path model = Path.of("..", "models", "arith-base").toAbsolutePath().normalize();
        String[] args = {"score", "--model", model.toString(), "--data", "arith:n=4", "--out", dir.toString(), "--threads", "1"};
        CliRun r = CliRun.of(args);
        assertThat(r.code()).as(r.err()).isZero();
        JsonNode s = new ObjectMapper().readTree(dir.resolve("summary.json").toFile());
        int maxNew = s.at("/settings/max_new_tokens").asInt();
        // 256 does not fit a 128-token context; the default is what does after the longest prompt
        assertThat(maxNew).isBetween(64, 127);
        assertThat(r.err()).contains("--max-new-tokens " + maxNew + ": what fits the model's context of 128 tokens");
        assertThat(s.at("/throughput/intra_op_threads").asInt()).isEqualTo(1);
        assertThat(s.at("/provenance/command").asText()).startsWith("rlif score --model ").endsWith("--threads 1");
        assertThat(s.at("/provenance/model_digest").asText()).matches("sha256:[0-9a-f]{64}");
        assertThat(s.at("/provenance/rlif_version").asText()).isNotBlank();
        // the same command again resolves the same default, so it resumes instead of refusing
        CliRun again = CliRun.of(args);
        assertThat(again.code()).as(again.err()).isZero();
        assertThat(again.out()).contains("(4 resumed, 0 new)");
    }
}
