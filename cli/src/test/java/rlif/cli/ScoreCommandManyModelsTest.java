package rlif.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code rlif score} with several models through the real CLI entry point: the table, and bad input. */
class ScoreCommandManyModelsTest {
    @TempDir
    Path tmp;

    static String committed(String name) {
        Path p = Path.of("..", "models", name).toAbsolutePath().normalize();
        assertThat(p.resolve("model.onnx")).as("the committed model %s is missing", p).exists();
        return p.toString();
    }

    @Test
    void repeatedModelFlagsWriteOneFolderEachAndPrintTheComparison() {
        Path out = tmp.resolve("out");
        CliRun run = CliRun.of("score", "--model", committed("arith-base"), "--model", committed("arith-instruct"),
                "--data", "arith:level=1,steps=2,split=test,n=8", "--samples", "2", "--max-new-tokens", "40",
                "--out", out.toString());
        assertThat(run.code()).as(run.err()).isZero();
        assertThat(out.resolve("arith-base/summary.json")).exists();
        assertThat(out.resolve("arith-instruct/rollouts.jsonl")).exists();
        assertThat(out.resolve("comparison.json")).exists();
        assertThat(out.resolve("comparison.html")).exists();
        assertThat(run.out()).contains("2 models, 8 problems x 2 samples").contains("baseline               arith-base")
                .containsPattern("(?m)^arith-instruct +- +[01](\\.\\d+)? \\[")
                .containsPattern("(?m)^  d +-?[01](\\.\\d+)? \\[");
        assertThat(run.err()).contains("model 2 of 2: arith-instruct");
    }

    @Test
    void aGlobThatMatchesNothingIsOneErrorLineAndWritesNothing() {
        Path out = tmp.resolve("none");
        CliRun run = CliRun.of("score", "--model", tmp + "/run/checkpoints/step-*", "--data", "arith", "--out", out.toString());
        assertThat(run.code()).isEqualTo(2);
        assertThat(run.errorLines()).containsExactly("error: --model '" + tmp + "/run/checkpoints/step-*' matches no directory");
        assertThat(run.err()).doesNotContain("\tat ");
        assertThat(Files.exists(out)).isFalse();
    }

    @Test
    void aPromptTooLongForOneOfTheModelsNamesThatModel() {
        Path out = tmp.resolve("long");
        CliRun run = CliRun.of("score", "--model", committed("arith-base"), committed("arith-instruct"),
                "--data", "arith:n=4", "--max-new-tokens", "256", "--out", out.toString());
        assertThat(run.code()).isEqualTo(2);
        assertThat(run.errorLines()).containsExactly("error: --model " + committed("arith-base") + ": --data arith problem 0:"
                + " the prompt has 20 tokens; with --max-new-tokens 256 it exceeds the model's context length of 128");
        assertThat(Files.exists(out)).isFalse();
    }

    @Test
    void aMissingModelAmongSeveralIsRefusedBeforeAnyScoring() {
        Path out = tmp.resolve("missing");
        CliRun run = CliRun.of("score", "--model", committed("arith-base"), tmp.resolve("nope").toString(),
                "--data", "arith:n=4", "--max-new-tokens", "40", "--out", out.toString());
        assertThat(run.code()).isEqualTo(2);
        assertThat(run.errorLines()).hasSize(1);
        assertThat(run.errorLines().get(0)).contains("nope");
        assertThat(Files.exists(out)).isFalse();
    }
}
