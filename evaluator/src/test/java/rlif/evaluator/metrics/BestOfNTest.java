package rlif.evaluator.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import rlif.evaluator.grading.Grade;

/**
 * {@link BestOfN} on hand-worked cases from its definition (the self-certainty paper's selection and Borda
 * voting), and its two limits checked against the independent rules they must equal: power 0 is maj@k
 * ({@link MajorityVote}), a large power is best-of-N.
 */
class BestOfNTest {
    private static BestOfN.Candidate c(String answer, boolean correct, double confidence) {
        return new BestOfN.Candidate(new Grade(answer, answer == null ? null : correct), confidence);
    }

    @Test
    void votingCanBeatBothTheMajorityAndTheMostConfidentSample() {
        // ranks 1..5 by confidence: A, B, B, C, A; votes sqrt(5), sqrt(4), sqrt(3), sqrt(2), sqrt(1)
        List<BestOfN.Candidate> s = List.of(c("A", false, 0.9), c("B", true, 0.8), c("B", true, 0.7), c("C", false, 0.6),
                c("A", false, 0.1));
        assertThat(BestOfN.topIsCorrect(s)).isFalse(); // A is the most confident
        // A: 2.236 + 1 = 3.236; B: 2 + 1.732 = 3.732
        assertThat(BestOfN.weightedVoteIsCorrect(s, 0.5)).isTrue();
        // majority: A and B have two votes each, A seen first
        assertThat(MajorityVote.isCorrect(s.stream().map(BestOfN.Candidate::grade).toList())).isFalse();
        assertThat(BestOfN.weightedVoteIsCorrect(s, 0)).isFalse();
    }

    @Test
    void confidentWrongSamplesOutvoteATiedMajority() {
        // 7 is right; ranks: 8 (0.9), 8 (0.3), 7 (0.2), 7 (0.1): 8 gets 2 + 1.732, 7 gets 1.414 + 1
        List<BestOfN.Candidate> s = List.of(c("7", true, 0.1), c("8", false, 0.9), c("7", true, 0.2), c("8", false, 0.3));
        assertThat(BestOfN.topIsCorrect(s)).isFalse();
        assertThat(BestOfN.weightedVoteIsCorrect(s, 0.5)).isFalse();
        assertThat(BestOfN.weightedVoteIsCorrect(s, 0)).isTrue(); // the 2-2 tie goes to 7, seen first
    }

    @Test
    void samplesWithoutAnAnswerNeitherWinNorVoteButKeepTheirRank() {
        List<BestOfN.Candidate> s = List.of(c(null, false, 0.99), c("7", true, 0.5), c("8", false, 0.4), c("8", false, 0.3));
        assertThat(BestOfN.topIsCorrect(s)).isTrue(); // the answerless top sample is passed over
        // ranks: none (2), 7 (sqrt 3 = 1.732), 8 (sqrt 2 + 1 = 2.414): 8 wins
        assertThat(BestOfN.weightedVoteIsCorrect(s, 0.5)).isFalse();
        assertThat(BestOfN.topIsCorrect(List.of(c(null, false, 1), c(null, false, 2)))).isFalse();
        assertThat(BestOfN.weightedVoteIsCorrect(List.of(c(null, false, 1)), 0.5)).isFalse();
    }

    @Test
    void undefinedConfidenceRanksLastAndTiesKeepSampleOrder() {
        List<BestOfN.Candidate> s = List.of(c("8", false, Double.NaN), c("7", true, 0.2), c("9", false, 0.2));
        assertThat(BestOfN.ranked(s)).containsExactly(1, 2, 0);
        assertThat(BestOfN.topIsCorrect(s)).isTrue();
        assertThat(BestOfN.ranked(List.of(c("1", true, Double.POSITIVE_INFINITY), c("2", true, 3))))
                .containsExactly(0, 1);
    }

    @Test
    void answersAreComparedAfterNormalisation() {
        // "$7" and "7" are one answer, as for maj@k
        List<BestOfN.Candidate> s = List.of(c("8", false, 0.9), c("$7", true, 0.8), c("7", true, 0.7));
        assertThat(BestOfN.weightedVoteIsCorrect(s, 0.5)).isTrue(); // 7: 1.414 + 1 > 8: 1.732
    }

    @Test
    void powerZeroIsMajorityVoteAndALargePowerIsBestOfN() {
        Random rnd = new Random(18);
        String[] answers = {"1", "2", "3", null};
        int checked = 0;
        for (int trial = 0; trial < 2000; trial++) {
            int n = 1 + rnd.nextInt(12);
            List<BestOfN.Candidate> s = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                String a = answers[rnd.nextInt(answers.length)];
                // coarse confidences so ties happen
                s.add(c(a, "2".equals(a), rnd.nextInt(6) / 5.0));
            }
            assertThat(BestOfN.weightedVoteIsCorrect(s, 0))
                    .as("power 0 vs majority on %s", s)
                    .isEqualTo(MajorityVote.isCorrect(s.stream().map(BestOfN.Candidate::grade).toList()));
            // (N - r + 1)^80 outweighs the votes of every lower rank together for N <= 12
            assertThat(BestOfN.weightedVoteIsCorrect(s, 80)).as("power 80 vs best-of-N on %s", s)
                    .isEqualTo(BestOfN.topIsCorrect(s));
            checked++;
        }
        assertThat(checked).isEqualTo(2000);
    }
}
