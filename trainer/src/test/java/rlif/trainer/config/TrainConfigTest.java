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
import rlif.trainer.grpo.LossType;
import rlif.trainer.grpo.ScaleRewards;
import rlif.trainer.optim.LearningRateSchedule;
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
        assertThat(c.trainable().lora().targets()).containsExactly("q_proj", "v_proj", "gate_proj");
        assertThat(c.optimization().adamw().lr()).isEqualTo(1e-4);
        assertThat(c.optimization().schedule().decay()).isEqualTo(LearningRateSchedule.Decay.CONSTANT);
        assertThat(c.grpo().objective().lossType()).isEqualTo(LossType.GRPO);
        assertThat(c.grpo().reward().weights()).containsEntry(RewardKind.VERIFIABLE, 0.5);
        assertThat(c.grpo().scaleRewards()).isEqualTo(ScaleRewards.NONE);
        assertThat(c.optimization().saveSteps()).isEqualTo(10);
        assertThat(c.optimization().evalSteps()).isEqualTo(5);
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
        assertThatThrownBy(() -> TrainConfig.read(p)).hasMessageStartingWith(p + ": sft.max_steps: is required");
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

    private static final String TRL = """
            seed: 3
            objective: grpo
            model: m
            data: {source: "arith:level=1"}
            grpo:
              max_steps: 12
              learning_rate: 2.0e-4
              lr_scheduler_type: cosine_with_min_lr
              lr_scheduler_kwargs: {min_lr_rate: 0.05}
              warmup_steps: 2
              adam_beta2: 0.99
              num_generations: 4
              per_device_train_batch_size: 8
              gradient_accumulation_steps: 3
              max_completion_length: 40
              beta: 0.04
              epsilon: 0.2
              epsilon_high: 0.28
              loss_type: dr_grpo
              scale_rewards: batch
              num_iterations: 2
              logging_steps: 2
              eval_steps: 4
              save_steps: 6
              reward: {verifiable: 1.0, self_certainty: -0.5}
            """;

    @Test
    void trlNamesConfigureTheObjectivesSection() throws IOException {
        TrainConfig c = TrainConfig.read(write(TRL));
        assertThat(c.steps()).isEqualTo(12);
        TrainConfig.Optimization o = c.optimization();
        assertThat(o.adamw().lr()).isEqualTo(2e-4);
        assertThat(o.adamw().beta2()).isEqualTo(0.99);
        assertThat(o.schedule()).isEqualTo(new LearningRateSchedule(2e-4, 2, 12, LearningRateSchedule.Decay.COSINE, 0.05));
        assertThat(o.loggingSteps()).isEqualTo(2);
        assertThat(o.evalSteps()).isEqualTo(4);
        assertThat(o.saveSteps()).isEqualTo(6);
        TrainConfig.Grpo g = c.grpo();
        // 8 completions per micro-batch x 3 micro-batches = 24 completions = 6 prompts x 4 generations
        assertThat(g.numGenerations()).isEqualTo(4);
        assertThat(g.microBatchSize()).isEqualTo(8);
        assertThat(g.promptsPerStep()).isEqualTo(6);
        assertThat(g.sampling().maxNewTokens()).isEqualTo(40);
        assertThat(g.objective()).isEqualTo(new GrpoSettings(0.2, 0.28, 0.04, 0, LossType.DR_GRPO));
        assertThat(g.scaleRewards()).isEqualTo(ScaleRewards.BATCH);
        assertThat(g.numIterations()).isEqualTo(2);
        assertThat(g.reward().weights()).containsEntry(RewardKind.SELF_CERTAINTY, -0.5);
    }

    @Test
    void rlifsOldNamesResolveToTheSameRunAsTrlsNames() throws IOException {
        Path trl = write(TRL.replace("  scale_rewards: batch\n", "").replace("loss_type: dr_grpo", "loss_type: grpo"));
        Path old = dir.resolve("old.yaml");
        Files.writeString(old, """
                seed: 3
                steps: 12
                objective: grpo
                model: m
                data: {source: "arith:level=1"}
                optimizer: {lr: 2.0e-4, schedule: cosine, min_lr_ratio: 0.05, warmup_steps: 2, beta2: 0.99}
                grpo:
                  group_size: 4
                  prompts_per_step: 6
                  gradient_accumulation_steps: 3
                  max_new_tokens: 40
                  kl_coef: 0.04
                  clip_epsilon: 0.2
                  epsilon_high: 0.28
                  averaging: sequence
                  num_iterations: 2
                  logging_steps: 2
                  reward: {verifiable: 1.0, self_certainty: -0.5}
                eval: {every: 4}
                checkpoint: {every: 6}
                """);
        TrainConfig a = TrainConfig.read(trl);
        TrainConfig b = TrainConfig.read(old);
        assertThat(ResolvedConfig.of(b)).isEqualTo(ResolvedConfig.of(a));
        assertThat(ResolvedConfig.digest(b)).isEqualTo(ResolvedConfig.digest(a));
        assertThat(b.origins()).containsEntry("grpo.max_steps", "steps").containsEntry("grpo.beta", "grpo.kl_coef");
    }

    @Test
    void aSettingGivenUnderBothNamesIsRefused() throws IOException {
        Path p = write(TRL + "steps: 5\n");
        assertThatThrownBy(() -> TrainConfig.read(p)).isInstanceOf(BadInputException.class)
                .hasMessage(p + ": grpo.max_steps: given twice, also as steps (its older name); keep one");
    }

    @Test
    void errorsNameTheKeyAsTheUserWroteIt() throws IOException {
        Path p = write("steps: 0\nobjective: sft\nmodel: m\n");
        assertThatThrownBy(() -> TrainConfig.read(p)).hasMessageStartingWith(p + ": steps: is required");
        Path q = write("steps: 2\nobjective: grpo\nmodel: m\ngrpo: {reward: {verifiable: 1}, averaging: tokens}\n");
        assertThatThrownBy(() -> TrainConfig.read(q)).hasMessage(q + ": grpo.averaging: expected one of sequence, token,"
                + " got 'tokens'");
        Path r = write("steps: 2\nobjective: grpo\nmodel: m\ngrpo: {reward: {verifiable: 1}}\noptimizer: {lr: 1, momentum: 2}\n");
        assertThatThrownBy(() -> TrainConfig.read(r)).hasMessageStartingWith(r + ": optimizer.momentum: unknown key");
    }

    @Test
    void setOverridesAnyKeyByItsPathOrItsOldNameAndIsNamedInErrors() throws IOException {
        Path p = write(TRL);
        TrainConfig c = TrainConfig.read(p, List.of(ConfigOverrides.Override.parse("grpo.max_steps=4"),
                ConfigOverrides.Override.parse("data.source=arith:level=2"),
                ConfigOverrides.Override.parse("grpo.reward={token_entropy: 1}"),
                ConfigOverrides.Override.parse("optimizer.lr=1e-3"),
                ConfigOverrides.Override.parse("grpo.save_steps=")));
        assertThat(c.steps()).isEqualTo(4);
        assertThat(c.data().source()).isEqualTo("arith:level=2");
        assertThat(c.grpo().reward().weights()).containsOnlyKeys(RewardKind.TOKEN_ENTROPY);
        assertThat(c.optimization().adamw().lr()).isEqualTo(1e-3);
        assertThat(c.optimization().saveSteps()).as("an empty value restores the default").isZero();
        assertThatThrownBy(() -> TrainConfig.read(p, List.of(ConfigOverrides.Override.parse("grpo.max_steps=ten"))))
                .hasMessage(p + ": --set grpo.max_steps: expected an integer, got 'ten'");
        assertThatThrownBy(() -> ConfigOverrides.Override.parse("max_steps")).isInstanceOf(BadInputException.class)
                .hasMessageContaining("key=value");
        assertThatThrownBy(() -> TrainConfig.read(p, List.of(ConfigOverrides.Override.parse("grpo.max_stepz=4"))))
                .hasMessageStartingWith(p + ": --set grpo.max_stepz: unknown key");
    }

    @Test
    void batchSizesResolveFromTrlsProductOrRlifsPerStepCountAndMustAgree() throws IOException {
        String base = "objective: grpo\nmodel: m\ngrpo:\n  max_steps: 1\n  reward: {verifiable: 1}\n  num_generations: 4\n";
        TrainConfig perStep = TrainConfig.read(write(base + "  prompts_per_step: 6\n  gradient_accumulation_steps: 2\n"));
        assertThat(perStep.grpo().microBatchSize()).isEqualTo(12);
        Path uneven = write(base + "  prompts_per_step: 5\n  gradient_accumulation_steps: 3\n");
        assertThatThrownBy(() -> TrainConfig.read(uneven)).hasMessageContaining("gradient_accumulation_steps")
                .hasMessageContaining("do not split into 3");
        Path notGroups = write(base + "  per_device_train_batch_size: 6\n");
        assertThatThrownBy(() -> TrainConfig.read(notGroups)).hasMessageContaining("not a whole number of groups");
        Path tooBig = write(base + "  prompts_per_step: 2\n  per_device_train_batch_size: 16\n");
        assertThatThrownBy(() -> TrainConfig.read(tooBig)).hasMessageStartingWith(tooBig
                + ": grpo.per_device_train_batch_size: 16 sequences: a micro-batch larger than the step's batch");
        TrainConfig derived = TrainConfig.read(write(base + "  prompts_per_step: 6\n  per_device_train_batch_size: 4\n"));
        assertThat(derived.grpo().microBatchSize()).as("24 completions in 6 micro-batches of 4").isEqualTo(4);
        Path disagree = write(base + "  prompts_per_step: 6\n  per_device_train_batch_size: 4\n  gradient_accumulation_steps: 2\n");
        assertThatThrownBy(() -> TrainConfig.read(disagree)).hasMessageContaining("grpo.prompts_per_step: 6 x num_generations"
                + " 4 = 24 sequences do not split into micro-batches of per_device_train_batch_size 4 x gradient_accumulation_steps 2");
        Path sft = write("objective: sft\nmodel: m\nsft: {max_steps: 1, batch_size: 12, gradient_accumulation_steps: 4}\n");
        assertThat(TrainConfig.read(sft).sft().microBatchSize()).isEqualTo(3);
    }

    @Test
    void schedulerScaleRewardsAndIterationChoicesAreChecked() throws IOException {
        String base = "objective: grpo\nmodel: m\ngrpo:\n  max_steps: 4\n  reward: {verifiable: 1}\n";
        assertThat(TrainConfig.read(write(base + "  scale_rewards: false\n")).grpo().scaleRewards()).isEqualTo(ScaleRewards.NONE);
        assertThat(TrainConfig.read(write(base + "  scale_rewards: true\n")).grpo().scaleRewards()).isEqualTo(ScaleRewards.GROUP);
        Path bad = write(base + "  scale_rewards: std\n");
        assertThatThrownBy(() -> TrainConfig.read(bad)).hasMessageContaining("grpo.scale_rewards: expected one of group, batch, none");
        Path warm = write(base + "  lr_scheduler_type: constant\n  warmup_steps: 2\n");
        assertThatThrownBy(() -> TrainConfig.read(warm)).hasMessageContaining("constant_with_warmup");
        assertThat(TrainConfig.read(write(base + "  lr_scheduler_type: linear\n")).optimization().schedule().decay())
                .isEqualTo(LearningRateSchedule.Decay.LINEAR);
        Path save = write(base + "  num_iterations: 3\n  save_steps: 4\n");
        assertThatThrownBy(() -> TrainConfig.read(save)).hasMessageContaining("grpo.save_steps: 4 is not a multiple of num_iterations 3");
        Path other = write(base + "sft: {max_length: 9}\n");
        assertThatThrownBy(() -> TrainConfig.read(other)).hasMessageStartingWith(other + ": sft: given, but objective is grpo");
        Path unknown = write(base.replace("verifiable", "vibes"));
        assertThatThrownBy(() -> TrainConfig.read(unknown)).hasMessageStartingWith(unknown + ": grpo.reward.vibes: unknown reward");
    }

    @Test
    void aGeneratorsSpecMustLeaveSplitCountAndSeedToTheTrainer() throws IOException {
        Path p = write("objective: sft\nmodel: m\nsft: {max_steps: 1}\ndata: {source: \"arith:level=1,split=test\"}\n");
        assertThatThrownBy(() -> TrainConfig.read(p)).hasMessageStartingWith(p + ": data.source: leave 'split=' out");
        Path f = write("objective: sft\nmodel: m\nsft: {max_steps: 1}\ndata: {source: rows.jsonl, prompt_format: chat}\n");
        TrainConfig c = TrainConfig.read(f);
        assertThat(c.data().source()).isEqualTo(dir.resolve("rows.jsonl").toString());
        assertThat(c.data().promptFormat()).isEqualTo(rlif.evaluator.prompt.PromptFormat.CHAT);
    }
}
