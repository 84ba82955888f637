package rlif.bench.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code rlif bench train --model DIR --data FILE}: rlif train itself, timed per step. */
class RealModelTrainBenchTest {

    @Test
    void timesOnlyTrainingStepsReadsPastTheRunsClosingGateRowAndCountsTrainables(@TempDir Path work) throws Exception {
        // A GRPO run's metrics end with its reward-trend gate row, which is not a step: the bench must skip it.
        List<String> rows = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            rows.add("{\"id\":\"r" + i + "\",\"question\":\"" + i + "+" + (i % 7) + "=\",\"answer\":\"" + (i + i % 7) + "\"}");
        }
        Path data = Files.write(work.resolve("sums.jsonl"), rows);
        var settings = new TrainBench.RealSettings(2, 4, 8, 2, 8, 3, "plain", 1);

        TrainBench.Result r = TrainBench.real(Path.of("../models/arith-base"), data, settings, work.resolve("bench"));

        assertThat(r.rows()).isEqualTo(8);
        assertThat(r.tokensPerStep()).isPositive();
        assertThat(r.rolloutSeconds()).isPositive();
        assertThat(r.trainGraphSeconds()).isPositive();
        assertThat(r.peakRssBytes()).isPositive();
        // LoRA r=8 on q_proj and v_proj of arith-base (2 layers, hidden 64, 4 query and 4 KV heads of 16): per layer
        // and module, A is 8 x 64 and B is 64 x 8
        assertThat(r.trainableParams()).isEqualTo(2L * 2 * (8 * 64 + 64 * 8));
    }
}
