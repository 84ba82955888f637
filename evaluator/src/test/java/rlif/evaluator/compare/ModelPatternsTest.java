package rlif.evaluator.compare;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import rlif.models.BadInputException;

class ModelPatternsTest {
    @TempDir
    Path tmp;

    @Test
    void aGlobListsCheckpointsByStepNumberAndReadsTheirSteps() throws IOException {
        for (String step : List.of("step-10", "step-2", "step-100", "step-1")) {
            Files.createDirectories(tmp.resolve("run/checkpoints").resolve(step));
        }
        Files.writeString(tmp.resolve("run/checkpoints/step-3"), "a file, not a checkpoint");
        List<ScoredModel> models = ModelPatterns.expand(List.of(tmp + "/run/checkpoints/step-*"));
        assertThat(models).extracting(ScoredModel::name).containsExactly("step-1", "step-2", "step-10", "step-100");
        assertThat(models).extracting(m -> m.step().getAsInt()).containsExactly(1, 2, 10, 100);
        assertThat(models.get(0).dir()).isEqualTo(tmp.resolve("run/checkpoints/step-1"));
    }

    @Test
    void plainPathsKeepTheirOrderAndTheFirstIsTheBaseline() throws IOException {
        Path b = Files.createDirectories(tmp.resolve("base"));
        Path c = Files.createDirectories(tmp.resolve("run/checkpoints/step-5"));
        List<ScoredModel> models = ModelPatterns.expand(List.of(b.toString(), tmp + "/run/checkpoints/*"));
        assertThat(models).extracting(ScoredModel::name).containsExactly("base", "step-5");
        assertThat(models.get(0).step()).isEmpty();
        assertThat(ModelPatterns.isMulti(List.of(c.toString()))).isFalse();
        assertThat(ModelPatterns.isMulti(List.of(tmp + "/run/*/step-5"))).isTrue();
        assertThat(ModelPatterns.isMulti(List.of(b.toString(), c.toString()))).isTrue();
    }

    @Test
    void clashingNamesTakeParentNamesUntilUnique() throws IOException {
        Path a = Files.createDirectories(tmp.resolve("runA/checkpoints/step-4"));
        Path b = Files.createDirectories(tmp.resolve("runB/checkpoints/step-4"));
        Path c = Files.createDirectories(tmp.resolve("runB/checkpoints/step-8"));
        List<ScoredModel> models = ModelPatterns.expand(List.of(a.toString(), b.toString(), c.toString()));
        assertThat(models).extracting(ScoredModel::name)
                .containsExactly("runA-checkpoints-step-4", "runB-checkpoints-step-4", "step-8");
        assertThat(models.get(1).step()).hasValue(4);
    }

    @Test
    void naturalOrderComparesDigitRunsAsNumbers() {
        assertThat(ModelPatterns.naturalCompare("step-2", "step-10")).isNegative();
        assertThat(ModelPatterns.naturalCompare("step-010", "step-9")).isPositive();
        assertThat(ModelPatterns.naturalCompare("a", "a1")).isNegative();
        assertThat(ModelPatterns.naturalCompare("b1", "a2")).isPositive();
    }

    @Test
    void aGlobThatMatchesNothingOrAModelGivenTwiceIsBadInput() throws IOException {
        Path a = Files.createDirectories(tmp.resolve("a"));
        assertThatThrownBy(() -> ModelPatterns.expand(List.of(tmp + "/run/step-*")))
                .isInstanceOf(BadInputException.class).hasMessage("--model '" + tmp + "/run/step-*' matches no directory");
        assertThatThrownBy(() -> ModelPatterns.expand(List.of(a.toString(), tmp + "/./a")))
                .isInstanceOf(BadInputException.class).hasMessage("--model " + a + " is given twice");
    }
}
