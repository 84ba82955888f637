package rlif.evaluator.grading;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import rlif.evaluator.testing.Shared;

class GraderTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static List<JsonNode> rows(String file) throws IOException {
        List<JsonNode> rows = new ArrayList<>();
        for (String line : Files.readAllLines(Shared.data(file))) {
            rows.add(JSON.readTree(line));
        }
        return rows;
    }

    @Test
    void everyGsm8kSolutionGradesItselfCorrectInEveryAnswerStyle() throws IOException {
        List<JsonNode> rows = rows("gsm8k-test.jsonl");
        assertThat(rows).hasSize(1319);
        int lastNumberHits = 0;
        for (JsonNode row : rows) {
            String solution = row.get("answer").asText();
            String reference = AnswerExtractor.reference(solution);
            assertThat(reference).as(solution).matches("-?[0-9.,]+");
            String worked = solution.substring(0, solution.lastIndexOf("####")).trim();
            assertThat(Grader.grade(solution, reference).correct()).as(solution).isTrue();
            assertThat(Grader.grade(worked + "\nThe answer is: " + reference + ".", reference).correct()).isTrue();
            assertThat(Grader.grade(worked + "\nSo the total is $\\boxed{" + reference + "}$ dollars.", reference).correct())
                    .isTrue();
            assertThat(Grader.grade(worked + "\n#### $" + reference + " dollars", reference).correct()).as(reference).isTrue();
            if (Boolean.TRUE.equals(Grader.grade(worked, reference).correct())) {
                lastNumberHits++;
            }
        }
        // The last-number fallback on the bare worked solution is a heuristic; it is right for nearly all rows.
        System.out.printf("gsm8k: last-number fallback correct on %d/%d worked solutions%n", lastNumberHits, rows.size());
        assertThat(lastNumberHits).isGreaterThan(rows.size() * 9 / 10);
    }

    @Test
    void mathSolutionsBoxedAnswerMatchesTheirStatedAnswer() throws IOException {
        List<JsonNode> rows = rows("math500-test.jsonl");
        assertThat(rows).hasSize(500);
        int agree = 0;
        int respelled = 0;
        List<String> misses = new ArrayList<>();
        for (JsonNode row : rows) {
            String solution = row.get("answer").asText();
            String reference = AnswerExtractor.reference(solution);
            // Grade the worked solution without its "The answer is:" tail, so the \boxed{} answer is what is read.
            String worked = solution.substring(0, solution.lastIndexOf("The answer is:"));
            // The same answer said in words, in dollars, with \dfrac and extra spaces, as a model might write it.
            String said = "The answer is: $" + reference.replace("\\frac", "\\dfrac ").replace(",", ", ") + "$.";
            if (Boolean.TRUE.equals(Grader.grade("We find it.\n" + said, reference).correct())) {
                respelled++;
            }
            if (Boolean.TRUE.equals(Grader.grade(worked, reference).correct())) {
                agree++;
            } else {
                misses.add(AnswerExtractor.completion(worked) + "  vs  " + reference);
            }
        }
        System.out.printf("math500: boxed answer matches the stated answer on %d/%d rows; misses:%n  %s%n",
                agree, rows.size(), String.join("\n  ", misses));
        System.out.printf("math500: respelled stated answer graded correct on %d/%d rows%n", respelled, rows.size());
        assertThat(agree).isGreaterThanOrEqualTo(rows.size() * 95 / 100);
        assertThat(respelled).isGreaterThanOrEqualTo(rows.size() * 90 / 100);
    }

    @ParameterizedTest(name = "[{index}] {0} vs {1} -> {2}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
            #### 18                                   | 18                | true
            The answer is 1,000.                      | 1000              | true
            #### $1,234,567                           | 1234567           | true
            so 12.0                                   | 12                | true
            we get 12.00004 exactly                   | 12                | true
            we get 12.01                              | 12                | false
            \\boxed{\\frac{1}{2}}                     | 0.5               | true
            \\boxed{\\dfrac{3}{4}}                    | \\frac34          | true
            \\boxed{3/4}                              | \\frac{3}{4}      | true
            \\boxed{-\\frac{2}{3}}                    | \\frac{-2}{3}     | true
            \\boxed{\\left( 3, \\frac{\\pi}{2} \\right)} | (3,\\frac{\\pi}{2}) | true
            \\boxed{\\boxed{5}}                       | 5                 | true
            \\boxed{x^{2}+\\frac{1}{\\sqrt{2}}}       | x^{2}+\\frac{1}{\\sqrt{2}} | true
            first \\boxed{4} then \\boxed{6}          | 6                 | true
            The answer is: 90^\\circ                  | 90                | true
            The answer is: 30^{\\circ}                | 30                | true
            \\boxed{50\\%}                            | 50                | true
            #### 18 dollars                           | 18                | true
            \\boxed{12\\text{ cm}^2}                  | 12                | true
            \\boxed{\\text{(C)}}                      | (C)               | true
            \\boxed{x = 5}                            | 5                 | true
            \\boxed{10{,}000}                         | 10000             | true
            The final answer is -7                    | -7                | true
            There are 5 apples and 7 pears so 12      | 12                | true
            no numbers at all                         | 3                 | false
            \\boxed{2x}                               | 2                 | false
            \\boxed{\\sqrt2}                          | \\sqrt{2}         | true
            \\boxed{(1,2)}                            | (1, 2)            | true
            """)
    void handCases(String completion, String reference, boolean correct) {
        assertThat(Grader.grade(completion, reference).correct()).isEqualTo(correct);
    }

    @Test
    void aRowWithoutReferenceIsUngradedButStillHasItsAnswer() {
        Grade g = Grader.grade("so it is 42", null);
        assertThat(g.answer()).isEqualTo("42");
        assertThat(g.correct()).isNull();
    }

    @Test
    void nestedBracesInBoxedAreMatched() {
        assertThat(AnswerExtractor.lastBoxed("x \\boxed{\\frac{a}{b^{2}}} y")).isEqualTo("\\frac{a}{b^{2}}");
        assertThat(AnswerExtractor.lastBoxed("\\boxed{1} and unclosed \\boxed{2")).isEqualTo("1");
        assertThat(AnswerExtractor.lastBoxed("$\\boxed 7$")).isEqualTo("7");
    }
}
