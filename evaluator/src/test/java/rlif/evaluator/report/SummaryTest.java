package rlif.evaluator.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static rlif.evaluator.report.RolloutsFileTest.row;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.junit.jupiter.api.Test;
import rlif.evaluator.metrics.Intervals;

class SummaryTest {
    private static final double EXACT = 1e-12;

    /** Problem 0: 2 of 3 correct; problem 1: 0 of 3 (the rows of RolloutsFileTest). */
    private static final List<RolloutRow> ROWS = List.of(
            row(0, 0, true, 0.9, "7"), row(0, 1, false, 0.2, "8"), row(0, 2, true, 0.8, "7.0"),
            row(1, 0, false, 0.3, "9"), row(1, 1, false, 0.9, "9"), row(1, 2, false, 0.1, null));

    @Test
    void accuracyStandardErrorIsClusteredByProblem() {
        // p = 1/3; residuals per problem 2 - 3p = 1 and 0 - 3p = -1; se = sqrt(2 / 1 * 2) / 6 = 1/3.
        // Six independent rollouts would claim sqrt(p (1 - p) / 5) = 0.21 instead.
        var a = new Summary(ROWS, 3).accuracyInterval();
        assertThat(a.estimate()).isCloseTo(1.0 / 3, within(EXACT));
        assertThat(a.stderr()).isCloseTo(1.0 / 3, within(EXACT));
    }

    @Test
    void summaryJsonCarriesStandardErrorsAndIntervalsBesideEachRate() {
        ObjectNode o = new ObjectMapper().createObjectNode();
        new Summary(ROWS, 3).writeTo(o);
        assertThat(o.get("accuracy_stderr").asDouble()).isCloseTo(1.0 / 3, within(EXACT));
        JsonNode ci = o.get("accuracy_ci95");
        assertThat(ci.size()).isEqualTo(2);
        assertThat(ci.get(0).asDouble()).isLessThan(1.0 / 3);
        assertThat(ci.get(1).asDouble()).isGreaterThan(1.0 / 3);
        // maj@3 = one of two problems; a share of two problems: se = sqrt(2 * 0.5) / 2 = 0.5
        assertThat(o.at("/maj_at_k/3").asDouble()).isEqualTo(0.5);
        assertThat(o.at("/maj_at_k_stderr/3").asDouble()).isCloseTo(0.5, within(EXACT));
        double[] w = Intervals.wilson(0.5, 1); // effective size p (1 - p) / se^2 = 1
        assertThat(o.at("/maj_at_k_ci95/3/0").asDouble()).isCloseTo(w[0], within(EXACT));
        assertThat(o.at("/pass_at_k_ci95").has("1")).isTrue();
        // AUROC: positives lie in one problem only, so its spread across problems is unknown: null, not 0
        assertThat(o.at("/auroc/self_certainty").asDouble()).isCloseTo(6.5 / 8, within(EXACT));
        assertThat(o.at("/auroc_stderr/self_certainty").isNull()).isTrue();
        assertThat(o.at("/signals/self_certainty/auroc_ci95").isNull()).isTrue();
        assertThat(o.at("/intervals/level").asDouble()).isEqualTo(0.95);
    }

    @Test
    void bestOfNSitsBesidePassAndMajAtKForEverySignal() {
        ObjectNode o = new ObjectMapper().createObjectNode();
        new Summary(ROWS, 3).writeTo(o);
        // self-certainty picks sample 0 (0.9, "7", right) in problem 0 and sample 1 (0.9, "9", wrong) in problem 1
        assertThat(o.at("/best_of_n/self_certainty/best_at_k/3").asDouble()).isEqualTo(0.5);
        // votes in problem 0: "7" sqrt 3, "7.0" sqrt 2, "8" 1; "7" is right
        assertThat(o.at("/best_of_n/self_certainty/vote_at_k/3").asDouble()).isEqualTo(0.5);
        // at k = 1 there is nothing to choose from: the first sample, as maj@1
        assertThat(o.at("/best_of_n/self_certainty/best_at_k/1").asDouble()).isEqualTo(o.at("/maj_at_k/1").asDouble());
        // every row has token entropy 1.5: ties keep sample order, so the first sample is picked
        assertThat(o.at("/best_of_n/token_entropy/best_at_k/3").asDouble()).isEqualTo(0.5);
        assertThat(o.at("/best_of_n/vote_power").asDouble()).isEqualTo(0.5);
        assertThat(o.at("/best_of_n/sum_logprob/vote_at_k_stderr/3").asDouble()).isCloseTo(0.5, within(EXACT));
        assertThat(o.at("/best_of_n/trajectory_entropy/best_at_k_ci95/3").size()).isEqualTo(2);

        ObjectNode single = new ObjectMapper().createObjectNode();
        new Summary(ROWS.stream().filter(r -> r.sample() == 0).toList(), 1).writeTo(single);
        assertThat(single.has("best_of_n")).as("one sample per problem: nothing to select").isFalse();
    }

    @Test
    void selfCheckWordsAreCountedPerCompletionThenAveragedOverProblems() {
        // problem 0: 2 "wait" + 1 "but" and 0 words (1.5 per completion, one of two with a word);
        // problem 1: 1 "let me" and 1 "let me" (1 per completion, both with one). Over problems: 1.25, 3 of 4.
        List<RolloutRow> rows = List.of(
                new RolloutRow(0, "a", 0, "Wait, wait. But 7.", new int[] {1}, "eos", 1, 1.5, 1, 2, -4, "7", "7", true,
                        null, null, null),
                new RolloutRow(0, "a", 1, "7", new int[] {1}, "eos", 1, 1.5, 1, 2, -4, "7", "7", true, null, null, null),
                new RolloutRow(1, "b", 0, "Let me see: 8", new int[] {1}, "eos", 1, 1.5, 1, 2, -4, "8", "8", true, null,
                        null, null),
                new RolloutRow(1, "b", 1, "let me add: 9", new int[] {1}, "eos", 1, 1.5, 1, 2, -4, "9", "8", false, null,
                        null, null));
        ObjectNode o = new ObjectMapper().createObjectNode();
        new Summary(rows, 2).writeTo(o);
        assertThat(o.at("/self_check_words/per_completion/wait").asDouble()).isCloseTo(0.5, within(EXACT));
        assertThat(o.at("/self_check_words/per_completion/but").asDouble()).isCloseTo(0.25, within(EXACT));
        assertThat(o.at("/self_check_words/per_completion/let me").asDouble()).isCloseTo(0.5, within(EXACT));
        assertThat(o.at("/self_check_words/per_completion/all").asDouble()).isCloseTo(1.25, within(EXACT));
        // two problem means 1.5 and 1: se = sd / sqrt(2) = 0.25
        var all = new Summary(rows, 2).selfCheckWordsPerCompletion(SelfCheckWords.WORDS.size());
        assertThat(all.stderr()).isCloseTo(0.25, within(EXACT));
        assertThat(o.at("/self_check_words/per_completion_ci95/all").size()).isEqualTo(2);
        assertThat(o.at("/self_check_words/completions_with_any").asDouble()).isCloseTo(0.75, within(EXACT));
    }

    @Test
    void passAtOneHasTheIntervalOfTheAccuracyItEquals() {
        List<RolloutRow> rows = new java.util.ArrayList<>();
        java.util.Random r = new java.util.Random(2);
        for (int p = 0; p < 30; p++) {
            double ease = r.nextDouble();
            for (int s = 0; s < 8; s++) {
                rows.add(row(p, s, r.nextDouble() < ease, 0.5, "7"));
            }
        }
        Summary s = new Summary(rows, 8);
        var acc = s.accuracyInterval();
        var pass = s.passAtKInterval(1);
        assertThat(pass.estimate()).isCloseTo(acc.estimate(), within(EXACT));
        assertThat(pass.stderr()).isCloseTo(acc.stderr(), within(EXACT));
        assertThat(pass.low()).isCloseTo(acc.low(), within(EXACT));
        assertThat(pass.high()).isCloseTo(acc.high(), within(EXACT));
    }
}
