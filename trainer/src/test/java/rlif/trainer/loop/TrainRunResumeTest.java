package rlif.trainer.loop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
import rlif.models.BadInputException;
import rlif.models.io.AtomicFiles;
import rlif.trainer.checkpoint.TrainerState;
import rlif.trainer.config.TrainConfig;
import rlif.trainer.metrics.MetricsLog;

/**
 * Real runs of the training loop on a tiny random llama: a run interrupted after a checkpoint and resumed
 * ends with the same metrics rows and bit-identical weights and optimiser state as an uninterrupted run.
 */
class TrainRunResumeTest {
    @TempDir
    Path dir;

    private static final String TINY = """
            seed: 5
            steps: 4
            init: {tokenizer: char, hidden_size: 16, intermediate_size: 32, num_layers: 1, num_heads: 2, num_kv_heads: 1}
            trainable: {full: true}
            optimizer: {lr: 1e-2, warmup_steps: 1}
            data: {source: "arith:level=1"}
            eval: {every: 4, limit: 2, max_new_tokens: 8, batch_size: 2}
            checkpoint: {every: 2}
            """;

    private Path config(String name, String yaml) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, yaml);
        return p;
    }

    @Test
    void resumedSftRunEqualsAnUninterruptedOne() throws IOException {
        Path cfg = config("sft.yaml", TINY + "objective: sft\nsft: {batch_size: 4, max_length: 64}\n");
        assertResumeEquivalent(cfg);
    }

    @Test
    void resumedGrpoRunEqualsAnUninterruptedOne() throws IOException {
        Path cfg = config("grpo.yaml", TINY + """
                objective: grpo
                grpo: {prompts_per_step: 2, group_size: 3, max_new_tokens: 10, kl_coef: 0.05, reward: {self_certainty: 1.0, verifiable: 1.0}}
                """);
        assertResumeEquivalent(cfg);
    }

    @Test
    void aSecondRunIntoTheSameOutWithoutResumeIsRefused() throws IOException {
        Path cfg = config("sft.yaml", TINY.replace("steps: 4", "steps: 1") + "objective: sft\nsft: {batch_size: 2}\n");
        Path out = dir.resolve("once");
        new TrainRun(TrainConfig.read(cfg), out, false, Compute.cpu(1)).run();
        assertThatThrownBy(() -> new TrainRun(TrainConfig.read(cfg), out, false, Compute.cpu(1)).run())
                .isInstanceOf(BadInputException.class).hasMessageContaining("--resume");
    }

    @Test
    void aFinishedRunKeepsItsResultsAndRemovesItsScratch() throws IOException {
        Path cfg = config("sft.yaml", TINY.replace("steps: 4", "steps: 1") + "objective: sft\nsft: {batch_size: 2}\n");
        Path out = dir.resolve("finished");
        new TrainRun(TrainConfig.read(cfg), out, false, Compute.cpu(1)).run();
        assertThat(out.resolve(".work")).doesNotExist();
        assertThat(out.resolve("metrics.jsonl")).isNotEmptyFile();
        assertThat(out.resolve("checkpoints/step-1")).isDirectory();
        assertThat(out.resolve("init-model")).isDirectory();
    }

    private void assertResumeEquivalent(Path cfg) throws IOException {
        Path straight = dir.resolve("straight");
        new TrainRun(TrainConfig.read(cfg), straight, false, Compute.cpu(1)).run();

        Path broken = dir.resolve("broken");
        new TrainRun(TrainConfig.read(cfg), broken, false, Compute.cpu(1)).run();
        // simulate a crash after step 3: the step-4 checkpoint never happened, rows of steps 3-4 are on disk
        // (the last one torn), and a half-written staging directory lies around
        AtomicFiles.deleteRecursively(broken.resolve("checkpoints/step-4"));
        Files.createDirectories(broken.resolve("checkpoints/.step-4.staging-123"));
        List<String> lines = Files.readAllLines(broken.resolve("metrics.jsonl"));
        Files.writeString(broken.resolve("metrics.jsonl"), String.join("\n", lines.subList(0, lines.size() - 2)) + "\n{\"step\": 4, \"lo");
        new TrainRun(TrainConfig.read(cfg), broken, true, Compute.cpu(1)).run();

        assertThat(withoutTimings(broken.resolve("metrics.jsonl"))).isEqualTo(withoutTimings(straight.resolve("metrics.jsonl")));
        for (String f : List.of(TrainerState.PARAMS_FILE, TrainerState.OPTIMIZER_FILE, "model.onnx.data")) {
            assertThat(Files.readAllBytes(broken.resolve("checkpoints/step-4/" + f)))
                    .as(f).isEqualTo(Files.readAllBytes(straight.resolve("checkpoints/step-4/" + f)));
        }
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> withoutTimings(Path metrics) throws IOException {
        ObjectMapper json = new ObjectMapper();
        List<Map<String, Object>> rows = new ArrayList<>();
        for (String line : Files.readAllLines(metrics)) {
            Map<String, Object> row = json.readValue(line, LinkedHashMap.class);
            row.keySet().removeIf(k -> MetricsLog.isMachineMeasurement(k) || k.equals("provenance"));
            rows.add(row);
        }
        return rows;
    }
}
