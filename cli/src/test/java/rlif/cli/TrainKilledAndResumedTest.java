package rlif.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import rlif.trainer.checkpoint.TrainerState;
import rlif.trainer.metrics.MetricsLog;

/**
 * {@code rlif train} SIGKILLed at a random metrics row, with half-written checkpoints from an older crash
 * planted by hand (a staging directory and a step directory missing its trainer state), then rerun with
 * {@code --resume}: {@code metrics.jsonl} has no torn or repeated row and equals an uninterrupted run's, the
 * checkpoints hold the same bytes, and the planted leftovers were ignored.
 *
 * <p>The normal build runs one seed; {@code -Drlif.killtest.seeds=5,6,7} runs more (docs/reliability.md).
 */
class TrainKilledAndResumedTest {
    static final int STEPS = 6;
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    Path config(long seed) throws IOException {
        Path p = tmp.resolve("tiny-" + seed + ".yaml");
        Files.writeString(p, """
                seed: %d
                steps: %d
                objective: sft
                init: {tokenizer: char, hidden_size: 16, intermediate_size: 32, num_layers: 1, num_heads: 2, num_kv_heads: 1}
                trainable: {full: true}
                optimizer: {lr: 1e-2, warmup_steps: 1}
                data: {source: "arith:level=1"}
                sft: {batch_size: 4, max_length: 64}
                eval: {every: 2, limit: 4, max_new_tokens: 8, batch_size: 4}
                checkpoint: {every: 2}
                """.formatted(seed, STEPS));
        return p;
    }

    @Test
    void killedRunsResumeToTheMetricsAndCheckpointsOfAnUninterruptedRun() throws Exception {
        int kills = 0;
        for (long seed : ChildRlif.seeds("5")) {
            Path cfg = config(seed);
            Path straight = tmp.resolve("straight-" + seed);
            ChildRlif.runToEnd(tmp.resolve("straight-" + seed + ".log"), "train", "--config", cfg.toString(),
                    "--out", straight.toString(), "--threads", "1");
            int rowsTotal = Files.readAllLines(straight.resolve("metrics.jsonl")).size();

            Path broken = tmp.resolve("broken-" + seed);
            int k = new Random(seed).nextInt(rowsTotal - 1) + 1;
            boolean killed = ChildRlif.killWhen(() -> ScoreKilledAndResumedTest.bytesOfRows(broken.resolve("metrics.jsonl")) >= k,
                    tmp.resolve("broken-" + seed + ".log"), "train", "--config", cfg.toString(), "--out", broken.toString(),
                    "--threads", "1");
            kills += killed ? 1 : 0;
            System.out.printf("train kill test: seed %d, kill after %d of %d metrics rows: %s; checkpoints then: %s%n",
                    seed, k, rowsTotal, killed ? "killed" : "finished first", checkpointNames(broken));

            // leftovers of an older crash: a staging directory and a step directory without its trainer state
            Path checkpoints = Files.createDirectories(broken.resolve("checkpoints"));
            Files.writeString(Files.createDirectories(checkpoints.resolve(".step-4.staging-99")).resolve("model.onnx"), "torn");
            Path stale = Files.createDirectories(checkpoints.resolve("step-" + (STEPS + 2)));
            Files.writeString(stale.resolve(TrainerState.PARAMS_FILE), "torn");

            ChildRlif.runToEnd(tmp.resolve("resume-" + seed + ".log"), "train", "--config", cfg.toString(), "--out",
                    broken.toString(), "--resume", "--threads", "1");

            assertThat(rows(broken.resolve("metrics.jsonl"))).as("metrics after kill and resume, seed %d", seed)
                    .isEqualTo(rows(straight.resolve("metrics.jsonl")));
            for (int step = 2; step <= STEPS; step += 2) {
                for (String f : List.of(TrainerState.PARAMS_FILE, TrainerState.OPTIMIZER_FILE, "model.onnx", "model.onnx.data")) {
                    Path got = broken.resolve("checkpoints/step-" + step + "/" + f);
                    assertThat(got).as("checkpoint file %s", got).exists();
                    assertThat(Files.readAllBytes(got)).as("step %d %s, seed %d", step, f, seed)
                            .isEqualTo(Files.readAllBytes(straight.resolve("checkpoints/step-" + step + "/" + f)));
                }
            }
            assertThat(Files.readString(stale.resolve(TrainerState.PARAMS_FILE))).as("the stale step directory was not used").isEqualTo("torn");
            System.out.printf("train kill test: seed %d resumed to %d metrics rows and 3 checkpoints equal to the uninterrupted run%n",
                    seed, rowsTotal);
        }
        assertThat(kills).as("kills that landed before the run ended").isPositive();
    }

    /** Each line a JSON object (no torn line), timings and the provenance stamp (date, command) removed. */
    static List<JsonNode> rows(Path metrics) throws IOException {
        String text = Files.readString(metrics);
        assertThat(text).as("%s ends with a complete line", metrics).endsWith("\n");
        List<JsonNode> out = new ArrayList<>();
        for (String line : text.split("\n")) {
            ObjectNode row = (ObjectNode) JSON.readTree(line);
            row.properties().removeIf(e -> MetricsLog.isMachineMeasurement(e.getKey()) || e.getKey().equals("provenance"));
            out.add(row);
        }
        return out;
    }

    static List<String> checkpointNames(Path out) throws IOException {
        Path c = out.resolve("checkpoints");
        if (!Files.isDirectory(c)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(c)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
