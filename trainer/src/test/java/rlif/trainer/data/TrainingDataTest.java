package rlif.trainer.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import rlif.evaluator.data.Problem;
import rlif.evaluator.testing.Shared;
import rlif.models.BadInputException;
import rlif.trainer.config.TrainConfig;

/** Where a run's problems come from: any source {@code rlif score} reads, split so held-out never meets training. */
class TrainingDataTest {
    @TempDir
    Path dir;

    private TrainConfig config(String data, int limit) throws IOException {
        Path p = dir.resolve("run.yaml");
        Files.writeString(p, """
                seed: 4
                objective: grpo
                model: m
                data: %s
                eval: {limit: %d}
                grpo: {max_steps: 1, reward: {verifiable: 1.0}}
                """.formatted(data, limit));
        return TrainConfig.read(p);
    }

    @Test
    void oneFileIsSplitByASeededHashOfTheRowIdAndNoHeldOutPromptIsTrainedOn() throws IOException {
        Path gsm8k = Shared.data("gsm8k-test.jsonl").toAbsolutePath();
        TrainingData d = TrainingData.open(config("{source: " + gsm8k + "}", 1000));
        Map<String, Object> desc = d.describe();
        int heldOut = ((Number) desc.get("held_out_rows")).intValue();
        int train = ((Number) desc.get("train_rows")).intValue();
        assertThat(heldOut + train + ((Number) desc.get("train_rows_dropped_as_held_out_prompts")).intValue()).isEqualTo(1319);
        // 10% of 1319 rows, binomial: 132 expected, 3 standard deviations is about 33
        assertThat(heldOut).isBetween(99, 165);
        assertThat(desc.get("split").toString()).contains("SHA-256").contains("0.1");
        assertThat(d.heldOut()).hasSize(Math.min(1000, heldOut));
        Set<String> heldOutPrompts = new HashSet<>();
        d.heldOut().forEach(p -> heldOutPrompts.add(p.promptText()));
        HashSplit split = new HashSplit(0, 0.1);
        assertThat(d.heldOut()).allSatisfy(p -> assertThat(split.heldOut(p.id())).isTrue());
        // one full epoch of training draws: every training row once, none held out
        List<Problem> epoch = new ArrayList<>();
        for (int i = 1; i <= train; i++) {
            epoch.addAll(d.train(i, 1));
        }
        Set<String> ids = new HashSet<>();
        epoch.forEach(p -> ids.add(p.id()));
        assertThat(ids).hasSize(train);
        assertThat(epoch).noneMatch(p -> heldOutPrompts.contains(p.promptText()));
        assertThat(epoch).allSatisfy(p -> assertThat(split.heldOut(p.id())).isFalse());
    }

    @Test
    void drawsArePureFunctionsOfSeedAndIndexAndEachEpochIsAFreshOrder() throws IOException {
        Path rows = dir.resolve("rows.jsonl");
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < 40; i++) {
            s.append("{\"id\": \"r").append(i).append("\", \"question\": \"q").append(i).append("\", \"answer\": \"#### ")
                    .append(i).append("\"}\n");
        }
        Files.writeString(rows, s.toString());
        TrainingData a = TrainingData.open(config("{source: rows.jsonl, eval_fraction: 0.25}", 10));
        TrainingData b = TrainingData.open(config("{source: rows.jsonl, eval_fraction: 0.25}", 10));
        int n = ((Number) a.describe().get("train_rows")).intValue();
        assertThat(ids(a.train(3, 4))).isEqualTo(ids(b.train(3, 4)));
        List<String> e1 = new ArrayList<>();
        List<String> e2 = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            e1.addAll(ids(a.train(i, 1)));
            e2.addAll(ids(a.train(n + i, 1)));
        }
        assertThat(new HashSet<>(e1)).hasSize(n).isEqualTo(new HashSet<>(e2));
        assertThat(e2).as("a fresh order in the second epoch").isNotEqualTo(e1);
        assertThat(ids(a.train(2, n))).as("batches of n continue the same sequence").isEqualTo(e2);
        TrainingData other = TrainingData.open(config("{source: rows.jsonl, eval_fraction: 0.25, split_seed: 9}", 10));
        assertThat(ids(other.heldOut())).isNotEqualTo(ids(a.heldOut()));
    }

    @Test
    void aSeparateHeldOutFileDropsItsPromptsFromTraining() throws IOException {
        Path train = dir.resolve("train.jsonl");
        Path test = dir.resolve("test.jsonl");
        Files.writeString(train, "{\"question\": \"a\", \"answer\": \"1\"}\n{\"question\": \"b\", \"answer\": \"2\"}\n"
                + "{\"question\": \"c\", \"answer\": \"3\"}\n");
        Files.writeString(test, "{\"question\": \"b\", \"answer\": \"2\"}\n{\"question\": \"z\", \"answer\": \"9\"}\n");
        TrainingData d = TrainingData.open(config("{source: train.jsonl, eval_source: test.jsonl}", 10));
        assertThat(d.describe()).containsEntry("train_rows", 2).containsEntry("train_rows_dropped_as_held_out_prompts", 1);
        assertThat(d.heldOut()).extracting(Problem::promptText).containsExactly("b", "z");
        Set<String> seen = new HashSet<>();
        for (int i = 1; i <= 6; i++) {
            d.train(i, 1).forEach(p -> seen.add(p.promptText()));
        }
        assertThat(seen).containsExactlyInAnyOrder("a", "c");
    }

    @Test
    void aGeneratorKeepsItsOwnSplit() throws IOException {
        TrainingData d = TrainingData.open(config("{source: \"arith:level=2\"}", 20));
        assertThat(d.heldOut()).hasSize(20).allSatisfy(p -> assertThat(p.id()).contains("-test-"));
        assertThat(d.train(7, 5)).hasSize(5).allSatisfy(p -> assertThat(p.id()).contains("-train-"));
        assertThat(ids(d.train(7, 5))).isEqualTo(ids(TrainingData.open(config("{source: \"arith:level=2\"}", 20)).train(7, 5)));
        assertThat(d.describe().get("held_out").toString()).contains("test split");
    }

    @Test
    void rowsWithoutWhatTheRunNeedsAreRefusedByRowAndKey() throws IOException {
        Path rows = dir.resolve("bare.jsonl");
        Files.writeString(rows, "{\"question\": \"q1\", \"answer\": \"#### 1\"}\n{\"question\": \"q2\", \"reference\": \"2\"}\n"
                + "{\"question\": \"q3\"}\n");
        TrainingData d = TrainingData.open(config("{source: bare.jsonl, eval_source: \"arith:level=1\"}", 4));
        assertThatThrownBy(() -> d.require("gradable answer", p -> p.reference() != null, "grpo.reward.verifiable", 2))
                .isInstanceOf(BadInputException.class).hasMessageContaining("data.source: bare.jsonl:3 has no gradable"
                        + " answer, which grpo.reward.verifiable needs");
        assertThatThrownBy(() -> d.require("worked solution", p -> p.solution() != null, "objective sft", 2))
                .hasMessageContaining("bare.jsonl:2 has no worked solution");
    }

    private static List<String> ids(List<Problem> ps) {
        List<String> out = new ArrayList<>();
        ps.forEach(p -> out.add(p.id()));
        return out;
    }
}
