package rlif.evaluator.grading;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * The grader reads arbitrary model output: whatever the text, it must return (never throw, never hang on
 * a pathological regex), and an answer must always grade equal to itself. Under plain {@code mvn test} this
 * replays the stored inputs; {@code JAZZER_FUZZ=1} fuzzes for real.
 */
class GradingFuzzTest {
    @FuzzTest(maxDuration = "60s")
    void gradingAnyTextReturnsAndIsReflexive(FuzzedDataProvider data) {
        String completion = data.consumeString(2000);
        String reference = data.consumeRemainingAsString();
        Grade g = Grader.grade(completion, reference);
        assertThat(g.correct()).isNotNull();
        String answer = AnswerExtractor.completion(completion);
        if (answer != null) {
            assertThat(AnswerNormalizer.equivalent(answer, answer)).as(answer).isTrue();
        }
        AnswerExtractor.reference(reference);
    }
}
