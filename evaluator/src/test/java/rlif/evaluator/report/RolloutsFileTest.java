package rlif.evaluator.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import rlif.models.BadInputException;

class RolloutsFileTest {
    @TempDir
    Path dir;

    static RolloutRow row(int prompt, int sample, Boolean correct, double selfCertainty, String answer) {
        return new RolloutRow(prompt, "p" + prompt, sample, "compute " + prompt, "plain", null, "text " + answer,
                new int[] {4, 5}, "eos", 2, 1.5,
                selfCertainty, 2.0, -4.0, answer, "7", correct, null, null, null);
    }

    @Test
    void rowsRoundTripAndATornLastLineIsCutOff() throws IOException {
        Path f = dir.resolve("rollouts.jsonl");
        try (RolloutsFile out = RolloutsFile.append(f)) {
            out.write(row(0, 0, true, 0.5, "7"));
            out.write(row(0, 1, null, Double.NaN, null));
        }
        long whole = Files.size(f);
        Files.writeString(f, "{\"prompt_index\": 1, \"sam", java.nio.file.StandardOpenOption.APPEND);
        List<RolloutRow> rows = new ArrayList<>();
        long valid = RolloutsFile.read(f, rows::add);
        assertThat(valid).isEqualTo(whole);
        assertThat(rows).hasSize(2);
        assertThat(rows.get(0).correct()).isTrue();
        assertThat(rows.get(1).correct()).isNull();
        assertThat(rows.get(1).selfCertainty()).isNaN();
        assertThat(rows.get(1).answer()).isNull();
        assertThat(RolloutsFile.repair(f, valid)).isEqualTo(24);
        assertThat(Files.size(f)).isEqualTo(whole);
    }

    @Test
    void aCompleteButBrokenLastLineIsAlsoTorn() throws IOException {
        Path f = dir.resolve("rollouts.jsonl");
        String good = row(0, 0, false, 0.1, "3").toJsonLine() + "\n";
        Files.writeString(f, good + "{\"prompt_index\": 0}\n");
        assertThat(RolloutsFile.read(f, r -> {})).isEqualTo(good.getBytes(StandardCharsets.UTF_8).length);
    }

    @Test
    void aBrokenLineBeforeTheEndIsBadInput() throws IOException {
        Path f = dir.resolve("rollouts.jsonl");
        String good = row(0, 0, false, 0.1, "3").toJsonLine() + "\n";
        Files.writeString(f, good + "not json\n" + good);
        assertThatThrownBy(() -> RolloutsFile.read(f, r -> {}))
                .isInstanceOf(BadInputException.class)
                .hasMessageContaining("line 2 is not a rollout row");
    }

    @Test
    void summaryMetricsFromHandMadeRows() {
        // Problem 0: 2 of 3 correct, majority "7" correct. Problem 1: 0 of 3, majority "9" wrong.
        List<RolloutRow> rows = List.of(
                row(0, 0, true, 0.9, "7"), row(0, 1, false, 0.2, "8"), row(0, 2, true, 0.8, "7.0"),
                row(1, 0, false, 0.3, "9"), row(1, 1, false, 0.9, "9"), row(1, 2, false, 0.1, null));
        Summary s = new Summary(rows, 3);
        assertThat(Summary.ks(3)).containsExactly(1, 2, 3);
        assertThat(s.accuracy()).isEqualTo(2.0 / 6);
        // pass@1 = mean(2/3, 0); pass@2 = mean(1 - C(1,2)/C(3,2) = 1, 0).
        assertThat(s.passAtK(1)).isCloseTo(1.0 / 3, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(s.passAtK(2)).isCloseTo(0.5, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(s.majAtK(3)).isEqualTo(0.5);
        // Self-certainty of correct {0.9, 0.8} vs incorrect {0.2, 0.3, 0.9, 0.1}: wins 3.5 + 3 of 8 pairs.
        assertThat(s.auroc(Signal.SELF_CERTAINTY)).isCloseTo(6.5 / 8, org.assertj.core.data.Offset.offset(1e-12));
        // Token entropy is equal everywhere: no information.
        assertThat(s.auroc(Signal.TOKEN_ENTROPY)).isEqualTo(0.5);
    }
}
