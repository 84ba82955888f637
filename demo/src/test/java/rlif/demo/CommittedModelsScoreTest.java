package rlif.demo;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import rlif.evaluator.data.ProblemSources;
import rlif.evaluator.prompt.PromptFormat;
import rlif.evaluator.score.ScoreJob;
import rlif.evaluator.score.ScoreSettings;

/**
 * The committed models load, score on held-out arith problems at temperature 1, and keep the base/instruct
 * contrast the demo depends on. The bands are wide enough for 64 sampled problems (one binomial standard
 * deviation is about 0.06) and are checked at a fixed seed, so the test is deterministic on a machine.
 */
class CommittedModelsScoreTest {
    private static final int MAX_MB = 8;

    @TempDir
    Path dir;

    private JsonNode score(Path model) {
        String data = ProblemSources.of("arith:level=1,steps=2,split=test,n=64,seed=" + DemoPlan.EVAL_SEED).describe();
        ScoreSettings s = new ScoreSettings(model.toString(), data, 0, 1, 40, 1.0, 0, 1.0, 0, 64, "cpu", "auto",
                PromptFormat.PLAIN, false);
        return new ScoreJob(s, dir.resolve(model.getFileName()), false).run().summary();
    }

    @Test
    void baseSolvesAFairShareButFarFromAllAndInstructIsMoreAccurateAndMoreCertain() {
        JsonNode base = score(CommittedModels.arithBase());
        JsonNode instruct = score(CommittedModels.arithInstruct());
        double baseAcc = base.get("accuracy").asDouble();
        double instructAcc = instruct.get("accuracy").asDouble();
        assertThat(baseAcc).as("arith-base held-out accuracy").isBetween(0.2, 0.6);
        assertThat(instructAcc).as("arith-instruct held-out accuracy").isGreaterThan(baseAcc + 0.1);
        double baseH = base.at("/signals/token_entropy/mean").asDouble();
        double instructH = instruct.at("/signals/token_entropy/mean").asDouble();
        assertThat(instructH).as("instruct token entropy vs base %s", baseH).isLessThan(0.75 * baseH);
        // Every completion ends with eos, not at the length limit: the models learned where a solution stops.
        assertThat(base.at("/counts/finish_length").asInt()).isLessThan(8);
        assertThat(instruct.at("/counts/finish_length").asInt()).isZero();
    }

    @Test
    void eachCommittedDirectoryStaysUnderEightMegabytes() throws IOException {
        for (Path model : new Path[] {CommittedModels.arithBase(), CommittedModels.arithInstruct()}) {
            long bytes;
            try (Stream<Path> files = Files.walk(model)) {
                bytes = files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
            }
            assertThat(bytes).as("size of %s", model).isLessThan(MAX_MB * 1024L * 1024L);
        }
    }
}
