package rlif.trainer.loop;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import rlif.trainer.checkpoint.TrainerState;
import rlif.trainer.config.TrainConfig;
import rlif.trainer.metrics.MetricsLog;

/**
 * Real GRPO runs of the committed arith-base model through {@link TrainRun}: a config in TRL's names and its twin
 * in rlif's old names give identical metrics and weights; a run on a JSONL file with chat prompts, micro-batches,
 * several updates per batch, a KL term and an entropy bonus logs TRL's metric names and states its data split; the
 * clip only acts from a batch's second update on; and shuffling rewards within groups changes what is learned but
 * not what is sampled.
 */
class GrpoRunTest {
    static final Path BASE = Path.of("..", "models", "arith-base").toAbsolutePath().normalize();
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private List<Map<String, Object>> run(String name, String yaml) throws IOException {
        Path cfg = dir.resolve(name + ".yaml");
        Files.writeString(cfg, yaml);
        return new TrainRun(TrainConfig.read(cfg), dir.resolve(name), false, Compute.cpu(1)).run();
    }

    /** The rows without what depends on the clock: the seconds per phase and the provenance stamp's date. */
    private static List<Map<String, Object>> withoutTimings(List<Map<String, Object>> rows) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Map<String, Object> r : rows) {
            Map<String, Object> copy = new LinkedHashMap<>(r);
            copy.keySet().removeIf(k -> MetricsLog.isMachineMeasurement(k) || k.equals("provenance"));
            out.add(copy);
        }
        return out;
    }

    @Test
    void aConfigInTrlsNamesAndItsTwinInRlifsOldNamesGiveIdenticalMetricsAndWeights() throws IOException {
        List<Map<String, Object>> old = run("old", """
                seed: 2
                steps: 3
                objective: grpo
                model: %s
                data: {source: "arith:level=1,steps=2"}
                optimizer: {lr: 5e-4, schedule: constant, warmup_steps: 1, max_grad_norm: 1.0}
                grpo: {prompts_per_step: 2, group_size: 4, max_new_tokens: 16, kl_coef: 0.02, clip_epsilon: 0.2,
                       averaging: sequence, scale_rewards: true, reward: {verifiable: 1.0, self_certainty: 0.1}}
                eval: {every: 3, limit: 4, max_new_tokens: 16}
                checkpoint: {every: 3}
                """.formatted(BASE));
        List<Map<String, Object>> trl = run("trl", """
                seed: 2
                objective: grpo
                model: %s
                data: {source: "arith:level=1,steps=2"}
                eval: {limit: 4, max_new_tokens: 16}
                grpo:
                  max_steps: 3
                  learning_rate: 5.0e-4
                  lr_scheduler_type: constant_with_warmup
                  warmup_steps: 1
                  max_grad_norm: 1.0
                  num_generations: 4
                  per_device_train_batch_size: 8
                  gradient_accumulation_steps: 1
                  max_completion_length: 16
                  beta: 0.02
                  epsilon: 0.2
                  loss_type: grpo
                  scale_rewards: group
                  eval_steps: 3
                  save_steps: 3
                  reward: {verifiable: 1.0, self_certainty: 0.1}
                """.formatted(BASE));
        assertThat(withoutTimings(trl)).isEqualTo(withoutTimings(old));
        assertThat(trl.stream().filter(GrpoRunTest::isTrainingRow).count()).isEqualTo(3);
        assertThat(Files.readAllBytes(dir.resolve("trl/checkpoints/step-3/" + TrainerState.PARAMS_FILE)))
                .isEqualTo(Files.readAllBytes(dir.resolve("old/checkpoints/step-3/" + TrainerState.PARAMS_FILE)));
    }

    @Test
    void aRunOnAJsonlFileWithChatPromptsLogsTrlsMetricsAndStatesItsSplit() throws IOException {
        Path data = dir.resolve("sums.jsonl");
        StringBuilder rows = new StringBuilder();
        for (int a = 1; a <= 6; a++) {
            for (int b = 1; b <= 6; b++) {
                rows.append("{\"question\": \"compute ").append(a).append(" + ").append(b)
                        .append("\\n\", \"answer\": \"").append(a).append(" + ").append(b).append(" = ").append(a + b)
                        .append("\\n#### ").append(a + b).append("\"}\n");
            }
        }
        Files.writeString(data, rows.toString());
        List<Map<String, Object>> out = run("file", """
                seed: 3
                objective: grpo
                model: %s
                data: {source: sums.jsonl, prompt_format: chat, eval_fraction: 0.25}
                eval: {limit: 4, max_new_tokens: 12}
                grpo:
                  max_steps: 4
                  learning_rate: 1.0e-3
                  num_generations: 4
                  prompts_per_step: 2
                  gradient_accumulation_steps: 2
                  rollout_batch_size: 3
                  max_completion_length: 12
                  beta: 0.02
                  entropy_coef: 0.01
                  num_iterations: 2
                  logging_steps: 2
                  save_steps: 2
                  reward: {verifiable: 1.0, self_certainty: 0.1}
                """.formatted(BASE));
        List<Map<String, Object>> train = out.stream().filter(GrpoRunTest::isTrainingRow).toList();
        assertThat(train).extracting(r -> r.get("step")).containsExactly(2L, 4L);
        // the last row is the run's sanity gate, fitted on the logged rows (2 of them: too few to tell)
        assertThat(out.getLast()).containsEntry("gate", true).containsEntry("step", 4L).containsEntry("steps_fitted", 2)
                .containsEntry("optimised", false).containsEntry("verdict", "too few steps to tell");
        for (Map<String, Object> r : train) {
            assertThat(r).containsKeys("loss", "grad_norm", "learning_rate", "num_tokens", "reward", "reward_std",
                    "frac_reward_zero_std", "rewards/verifiable/mean", "rewards/verifiable/std",
                    "rewards/self_certainty/mean", "rewards/self_certainty/std", "completions/mean_length",
                    "completions/clipped_ratio", "kl", "entropy", "clip_ratio/low_mean", "clip_ratio/high_mean",
                    "clip_ratio/region_mean", "accuracy", "token_entropy", "self_certainty", "distinct_3gram_ratio");
            assertThat(((Number) r.get("kl")).doubleValue()).isGreaterThanOrEqualTo(0);
        }
        assertThat(((Number) train.get(1).get("num_tokens")).longValue())
                .isGreaterThan(((Number) train.get(0).get("num_tokens")).longValue());
        List<Map<String, Object>> evals = out.stream().filter(r -> r.containsKey("eval")).toList();
        assertThat(evals).extracting(r -> r.get("step")).containsExactly(0L, 4L);
        JsonNode runJson = JSON.readTree(dir.resolve("file/run.json").toFile());
        assertThat(runJson.at("/data/split").asText()).contains("SHA-256");
        assertThat(runJson.at("/data/held_out_rows").asInt() + runJson.at("/data/train_rows").asInt()).isEqualTo(36);
        assertThat(runJson.at("/resolved/grpo/num_iterations").asInt()).isEqualTo(2);
        assertThat(runJson.at("/resolved/grpo/per_device_train_batch_size").asInt()).isEqualTo(4);
        assertThat(runJson.at("/resolved/data/prompt_format").asText()).isEqualTo("chat");
    }

    @Test
    void theClipActsOnlyFromABatchsSecondUpdateOn() throws IOException {
        List<Map<String, Object>> out = run("iterations", """
                seed: 5
                objective: grpo
                model: %s
                data: {source: "arith:level=1,steps=2"}
                eval: {limit: 2, max_new_tokens: 16}
                grpo: {max_steps: 6, learning_rate: 3.0e-2, lr_scheduler_type: constant, num_generations: 4,
                       prompts_per_step: 4, max_completion_length: 16, num_iterations: 3, epsilon: 0.1,
                       reward: {self_certainty: 1.0}}
                """.formatted(BASE));
        List<Map<String, Object>> train = out.stream().filter(GrpoRunTest::isTrainingRow).toList();
        assertThat(train).extracting(r -> r.get("iteration")).containsExactly(1, 2, 3, 1, 2, 3);
        double later = 0;
        for (Map<String, Object> r : train) {
            double clipped = ((Number) r.get("clip_ratio/region_mean")).doubleValue();
            if (((Number) r.get("iteration")).intValue() == 1) {
                // old log-probs are the sampler's own: ratio 1 up to float32 rounding, far inside 1 +- 0.1
                assertThat(clipped).as("step " + r.get("step")).isZero();
                assertThat(r).containsKey("reward");
            } else {
                later = Math.max(later, clipped);
                assertThat(r).as("rollout metrics belong to the step that sampled").doesNotContainKey("reward");
            }
        }
        assertThat(later).as("a later update on the same batch clips some tokens").isPositive();
    }

    @Test
    void shufflingRewardsWithinGroupsKeepsWhatIsSampledButChangesWhatIsLearned() throws IOException {
        String yaml = """
                seed: 6
                objective: grpo
                model: %s
                data: {source: "arith:level=1,steps=2"}
                eval: {limit: 2, max_new_tokens: 16}
                grpo: {max_steps: 1, num_generations: 4, prompts_per_step: 4, max_completion_length: 16,
                       reward: {self_certainty: 1.0}, shuffle_within_group: %s}
                """;
        Map<String, Object> plain = run("plain", yaml.formatted(BASE, "false")).get(1);
        Map<String, Object> shuffled = run("shuffled", yaml.formatted(BASE, "true")).get(1);
        for (String same : List.of("reward", "reward_std", "frac_reward_zero_std", "rewards/self_certainty/mean",
                "completions/mean_length")) {
            assertThat(shuffled.get(same)).as(same).isEqualTo(plain.get(same));
        }
        assertThat(shuffled.get("grad_norm")).isNotEqualTo(plain.get("grad_norm"));
    }

    /** A training step's row: neither a held-out evaluation nor the run's closing gate row. */
    private static boolean isTrainingRow(Map<String, Object> row) {
        return !row.containsKey("eval") && !row.containsKey("gate");
    }
}
