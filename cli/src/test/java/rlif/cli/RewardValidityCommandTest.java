package rlif.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code rlif reward-validity} on a real {@code rlif score} run of the committed arith model. */
class RewardValidityCommandTest {
    @TempDir
    Path tmp;

    @Test
    void scoresThenMeasuresEverySignalAndWritesJson() throws IOException {
        Path score = tmp.resolve("score");
        CliRun s = CliRun.of("score", "--model", Path.of("..", "models", "arith-base").toString(), "--data",
                "arith:level=1,steps=2,split=test,n=40", "--samples", "4", "--temperature", "1", "--max-new-tokens", "40",
                "--out", score.toString());
        assertThat(s.code()).as(s.err()).isZero();
        Path json = tmp.resolve("validity.json");
        CliRun v = CliRun.of("reward-validity", score.toString(), "--json", json.toString());
        assertThat(v.code()).as(v.err()).isZero();
        assertThat(v.out()).contains("self_certainty", "token_entropy", "trajectory_entropy", "within-group AUROC");
        JsonNode run = new ObjectMapper().readTree(json.toFile()).at("/runs/0");
        assertThat(run.get("name").asText()).isEqualTo("score");
        assertThat(run.get("rollouts").asInt()).isEqualTo(160);
        assertThat(run.get("problems").asInt()).isEqualTo(40);
        for (String signal : new String[] {"self_certainty", "token_entropy", "trajectory_entropy"}) {
            JsonNode sig = run.at("/signals/" + signal);
            assertThat(sig.get("auroc").asDouble()).isBetween(0.0, 1.0);
            assertThat(sig.get("auroc_ci95")).hasSize(2);
            assertThat(sig.has("within_group_auroc")).isTrue();
            assertThat(sig.get("content_r2").asDouble()).isLessThanOrEqualTo(1.0);
        }
    }

    @Test
    void aDirectoryWithoutRolloutsIsBadInput() {
        CliRun v = CliRun.of("reward-validity", tmp.toString());
        assertThat(v.code()).isEqualTo(2);
        assertThat(v.errorLines()).containsExactly("error: " + tmp.resolve("rollouts.jsonl")
                + " does not exist; give an rlif score --out directory");
    }
}
