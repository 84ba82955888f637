package rlif.trainer.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import rlif.models.BadInputException;
import rlif.trainer.grpo.GrpoSettings;
import rlif.trainer.reward.RewardKind;

class TrainConfigTest {
    @TempDir
    Path dir;

    private Path write(String yaml) throws IOException {
        Path p = dir.resolve("config.yaml");
        Files.writeString(p, yaml);
        return p;
    }

    @Test
    void readsAFullGrpoConfigWithRelativePathsAgainstTheConfigDirectory() throws IOException {
        TrainConfig c = TrainConfig.read(write("""
                seed: 3
                steps: 40
                objective: grpo
                model: ../models/arith-base
                trainable:
                  lora: {rank: 4, alpha: 8, targets: [q_proj, v_proj, gate_proj]}
                optimizer: {lr: 1e-4, weight_decay: 0.01, warmup_steps: 5, schedule: constant}
                grpo:
                  group_size: 4
                  averaging: sequence
                  scale_rewards: false
                  reward: {self_certainty: 1.0, verifiable: 0.5}
                eval: {every: 5, limit: 32}
                checkpoint: {every: 10}
                """));
        assertThat(c.seed()).isEqualTo(3);
        assertThat(c.model()).isEqualTo(dir.resolve("../models/arith-base"));
        assertThat(c.trainable().targets()).containsExactly("q_proj", "v_proj", "gate_proj");
        assertThat(c.optimizer().lr()).isEqualTo(1e-4);
        assertThat(c.schedule().cosine()).isFalse();
        assertThat(c.grpo().settings().averaging()).isEqualTo(GrpoSettings.Averaging.SEQUENCE);
        assertThat(c.grpo().reward().weights()).containsEntry(RewardKind.VERIFIABLE, 0.5);
        assertThat(c.grpo().scaleRewards()).isFalse();
        assertThat(c.checkpointEvery()).isEqualTo(10);
    }

    @Test
    void mistypedValueNamesTheKeyPath() throws IOException {
        Path p = write("steps: 2\nobjective: sft\nmodel: m\noptimizer:\n  lr: fast\n");
        assertThatThrownBy(() -> TrainConfig.read(p)).isInstanceOf(BadInputException.class)
                .hasMessage(p + ": optimizer.lr: expected a number, got 'fast'");
    }

    @Test
    void unknownKeyIsRejectedWithItsPath() throws IOException {
        Path p = write("steps: 2\nobjective: grpo\nmodel: m\ngrpo:\n  reward: {verifiable: 1}\n  group_sise: 4\n");
        assertThatThrownBy(() -> TrainConfig.read(p)).isInstanceOf(BadInputException.class)
                .hasMessageStartingWith(p + ": grpo.group_sise: unknown key");
    }

    @Test
    void unknownRewardAndNestedTypeErrorsNameTheirPaths() throws IOException {
        Path p = write("steps: 2\nobjective: grpo\nmodel: m\ngrpo:\n  reward: {vibes: 1}\n");
        assertThatThrownBy(() -> TrainConfig.read(p)).hasMessageStartingWith(p + ": grpo.reward.vibes: unknown reward");
        Path q = write("steps: 2\nobjective: sft\nmodel: m\ntrainable:\n  lora:\n    targets: [q_proj, 3]\n");
        assertThatThrownBy(() -> TrainConfig.read(q)).hasMessage(q + ": trainable.lora.targets[1]: expected a string, got 3");
    }

    @Test
    void missingRequiredKeysAndConflictingStartsAreErrors() throws IOException {
        Path p = write("objective: sft\nmodel: m\n");
        assertThatThrownBy(() -> TrainConfig.read(p)).hasMessageStartingWith(p + ": steps:");
        Path q = write("steps: 1\nobjective: sft\nmodel: m\ninit: {tokenizer: t.json}\ntrainable: {full: true}\n");
        assertThatThrownBy(() -> TrainConfig.read(q)).hasMessageStartingWith(q + ": init: give either");
        Path r = write("steps: 1\nobjective: sft\ninit: {tokenizer: t.json}\n");
        assertThatThrownBy(() -> TrainConfig.read(r)).hasMessageStartingWith(r + ": trainable.full:");
    }

    @Test
    void theExampleConfigsInDocsAreValid() throws IOException {
        // surefire runs in the module directory; the examples live in the repository's docs/
        Path examples = Path.of("..", "docs", "examples");
        assertThat(examples).as("docs/examples next to the trainer module").isDirectory();
        try (var files = Files.list(examples)) {
            List<Path> yamls = files.filter(f -> f.toString().endsWith(".yaml")).toList();
            assertThat(yamls).hasSizeGreaterThanOrEqualTo(3);
            for (Path y : yamls) {
                assertThat(TrainConfig.read(y).steps()).as(y.toString()).isPositive();
            }
        }
    }
}
