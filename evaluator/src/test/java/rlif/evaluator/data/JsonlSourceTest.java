package rlif.evaluator.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import rlif.evaluator.testing.Shared;
import rlif.models.BadInputException;

class JsonlSourceTest {
    @TempDir
    Path dir;

    private static List<Problem> readAll(ProblemSource source) {
        List<Problem> all = new ArrayList<>();
        try (var problems = source.open()) {
            problems.forEachRemaining(all::add);
        }
        return all;
    }

    @Test
    void readsGsm8kAsItIs() {
        List<Problem> all = readAll(new JsonlSource(Shared.data("gsm8k-test.jsonl")));
        assertThat(all).hasSize(1319);
        Problem first = all.get(0);
        assertThat(first.index()).isZero();
        assertThat(first.id()).isEqualTo("0");
        assertThat(first.promptText()).startsWith("Janet\u2019s ducks lay 16 eggs per day.");
        assertThat(first.reference()).isEqualTo("18");
        assertThat(all.get(1318).index()).isEqualTo(1318);
    }

    @Test
    void keepsTheWorkedSolutionOfAnAnswerFieldButNotOfABareReference() throws IOException {
        Problem gsm = readAll(new JsonlSource(Shared.data("gsm8k-test.jsonl"))).get(0);
        assertThat(gsm.solution()).startsWith("Janet sells 16 - 3 - 4").endsWith("#### 18");
        Path f = dir.resolve("bare.jsonl");
        Files.writeString(f, "{\"question\": \"1+1?\", \"reference\": \"2\"}\n");
        Problem bare = readAll(new JsonlSource(f)).get(0);
        assertThat(bare.reference()).isEqualTo("2");
        assertThat(bare.solution()).isNull();
    }

    @Test
    void readsMath500AsItIs() {
        List<Problem> all = readAll(new JsonlSource(Shared.data("math500-test.jsonl")));
        assertThat(all).hasSize(500);
        assertThat(all.get(0).reference()).isEqualTo("\\left( 3, \\frac{\\pi}{2} \\right)");
        assertThat(all).allSatisfy(p -> assertThat(p.reference()).isNotBlank());
    }

    @Test
    void readsEveryPromptFieldIdsAndReferences() throws IOException {
        Path f = dir.resolve("rows.jsonl");
        Files.writeString(f, """
                {"prompt": "a", "reference": "3", "id": "first"}

                {"problem": "b", "answer": "so \\\\boxed{4}"}
                {"prompt_ids": [5, 6, 7], "id": 9}
                """);
        List<Problem> all = readAll(new JsonlSource(f));
        assertThat(all).extracting(Problem::index).containsExactly(0, 1, 2);
        assertThat(all).extracting(Problem::id).containsExactly("first", "1", "9");
        assertThat(all).extracting(Problem::reference).containsExactly("3", "4", null);
        assertThat(all.get(2).promptIds()).containsExactly(5, 6, 7);
        assertThat(all.get(2).where()).isEqualTo("rows.jsonl:4");
    }

    @Test
    void malformedLinesNameFileLineAndField() throws IOException {
        assertBad("{\"prompt\": \"ok\"}\n{\"prompt\": \"x\"\n", "line 2: not valid JSON");
        assertBad("{\"prompt\": \"ok\"}\n\n[1, 2]\n", "line 3: expected a JSON object");
        assertBad("{\"answer\": \"4\"}\n", "line 1: needs a prompt");
        assertBad("{\"prompt_ids\": [1, -2]}\n", "line 1, field prompt_ids: entry 1 is -2");
        assertBad("{\"prompt_ids\": [1, 2.5]}\n", "line 1, field prompt_ids");
        assertBad("{\"prompt_ids\": []}\n", "line 1, field prompt_ids: is empty");
        assertBad("{\"question\": 5}\n", "line 1, field question: must be a string");
        assertBad("{\"prompt\": \"a\", \"id\": [1]}\n", "line 1, field id");
    }

    private void assertBad(String content, String message) throws IOException {
        Path f = dir.resolve("bad.jsonl");
        Files.writeString(f, content);
        assertThatThrownBy(() -> readAll(new JsonlSource(f)))
                .isInstanceOf(BadInputException.class)
                .hasMessageContaining(f.toString())
                .hasMessageContaining(message);
    }

    @Test
    void aMissingFileIsBadInput() {
        assertThatThrownBy(() -> new JsonlSource(dir.resolve("nope.jsonl")).open())
                .isInstanceOf(BadInputException.class)
                .hasMessageContaining("nope.jsonl");
    }

    @Test
    void aByteOrderMarkAtTheStartIsAccepted() throws IOException {
        Path f = dir.resolve("bom.jsonl");
        Files.writeString(f, "\uFEFF{\"question\": \"1+1?\", \"answer\": \"#### 2\"}\n{\"question\": \"2+2?\", \"answer\": \"#### 4\"}\n");
        List<Problem> all = readAll(new JsonlSource(f));
        assertThat(all).extracting(Problem::promptText).containsExactly("1+1?", "2+2?");
    }

    @Test
    void aSecondJsonValueOnALineIsRefusedWithTheLine() throws IOException {
        Path f = dir.resolve("two.jsonl");
        Files.writeString(f, "{\"question\": \"a\"}\n{\"question\": \"b\"} {\"question\": \"c\"}\n");
        assertThatThrownBy(() -> readAll(new JsonlSource(f))).isInstanceOf(BadInputException.class)
                .hasMessageContaining("line 2").hasMessageContaining("not valid JSON");
    }
}
