package rlif.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code rlif score --teacher-forced} through the real CLI entry point: a generating run's {@code rollouts.jsonl}
 * scores as it is, and each bad input the issue lists exits 2 with exactly one {@code error:} line naming the
 * file, the line and the field, no stack trace, and no {@code --out} written.
 */
class ScoreTeacherForcedCommandTest {
    @TempDir
    static Path tmp;

    static String base;
    static Path generated;

    @BeforeAll
    static void generate() {
        base = Path.of("..", "models", "arith-base").toAbsolutePath().normalize().toString();
        generated = tmp.resolve("generated");
        CliRun r = CliRun.of("score", "--model", base, "--data", "arith:level=1,steps=2", "--limit", "4", "--samples",
                "2", "--max-new-tokens", "30", "--out", generated.toString());
        assertThat(r.code()).as(r.err()).isZero();
    }

    @Test
    void aRunsRolloutsScoreAsTheyAre() {
        Path out = tmp.resolve("forced");
        CliRun r = CliRun.of("score", "--model", base, "--data", generated.resolve("rollouts.jsonl").toString(),
                "--teacher-forced", "--out", out.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("4 problems, 8 rollouts").contains("teacher-forced scoring")
                .contains("best-of-2 by").contains("self_certainty");
        assertThat(out.resolve("summary.json")).exists();
    }

    private static void refused(String rows, String... expected) throws IOException {
        Path data = tmp.resolve("bad-" + Integer.toHexString(rows.hashCode()) + ".jsonl");
        Files.writeString(data, rows);
        Path out = tmp.resolve("out-" + Integer.toHexString(rows.hashCode()));
        List<String> args = new ArrayList<>(List.of("score", "--model", base, "--data", data.toString(), "--teacher-forced",
                "--out", out.toString()));
        CliRun r = CliRun.of(args.toArray(String[]::new));
        assertThat(r.code()).as(r.err()).isEqualTo(2);
        assertThat(r.errorLines()).as(r.err()).hasSize(1);
        assertThat(r.errorLines().get(0)).contains(data.toString()).contains(Arrays.asList(expected));
        assertThat(r.err()).doesNotContain("\tat ").doesNotContain("Exception");
        assertThat(out.resolve("rollouts.jsonl")).doesNotExist();
    }

    @Test
    void completionIdsOutsideTheVocabulary() throws IOException {
        refused("{\"prompt\": \"compute 1 + 2\\n\", \"completion_ids\": [5, 6, 100]}\n",
                "line 1", "field completion_ids", "token id 100", "vocabulary of 100");
    }

    @Test
    void promptPlusCompletionLongerThanTheContext() throws IOException {
        refused("{\"prompt\": \"compute 1 + 2\\n\", \"completion\": \"" + "1 + 2 = 3\\n".repeat(20) + "\"}\n",
                "line 1", "field completion", "context length of 128");
    }

    @Test
    void aRowWithNeitherCompletionNorCompletionIds() throws IOException {
        refused("{\"prompt\": \"compute 1 + 2\\n\", \"completion\": \"3\"}\n{\"prompt\": \"compute 4 + 4\\n\"}\n",
                "line 2", "field completion");
    }

    @Test
    void aTokenizerRoundTripThatChangesTheText() throws IOException {
        refused("{\"prompt\": \"compute 1 + 2\\n\", \"completion\": \"3 \u00e9\"}\n", "line 1", "field completion",
                "round trip");
    }
}
