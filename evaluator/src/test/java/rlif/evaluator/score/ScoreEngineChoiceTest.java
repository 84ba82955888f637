package rlif.evaluator.score;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import rlif.evaluator.prompt.PromptFormat;
import rlif.evaluator.testing.Shared;

/**
 * {@code score --engine graph} and {@code --engine step} write the same greedy rollouts, and the summary records which
 * engine was asked for; a resumed run may switch engines, as it may switch devices.
 */
class ScoreEngineChoiceTest {
    @TempDir
    Path tmp;

    private static ScoreSettings greedy(String engine) {
        return new ScoreSettings(Shared.fixture("tiny-random-llama-fp16").toString(),
                Shared.data("gsm8k-test.jsonl").toAbsolutePath().normalize().toString(), 3, 1, 8, 0.0, 0, 1.0, 0,
                4, "cpu", "auto", PromptFormat.PLAIN, true, false, engine);
    }

    @Test
    void graphAndStepEnginesScoreTheSameGreedyRollouts() throws IOException {
        Path step = tmp.resolve("step");
        Path graph = tmp.resolve("graph");
        new ScoreJob(greedy("step"), step, false).run();
        ScoreJob.Result g = new ScoreJob(greedy("graph"), graph, false).run();
        assertThat(completions(graph)).isEqualTo(completions(step)).hasSize(3);
        assertThat(g.summary().at("/settings/engine").asText()).isEqualTo("graph");
        assertThat(greedy("step").firstDifference(g.summary().get("settings"))).isNull();
    }

    private static List<String> completions(Path out) throws IOException {
        List<String> ids = new ArrayList<>();
        ObjectMapper json = new ObjectMapper();
        for (String line : Files.readAllLines(out.resolve(ScoreJob.ROLLOUTS))) {
            JsonNode row = json.readTree(line);
            ids.add(row.get("completion_ids").toString() + " " + row.get("finish_reason").asText());
        }
        return ids;
    }
}
