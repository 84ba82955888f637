package rlif.evaluator.metrics;

import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import rlif.evaluator.grading.AnswerNormalizer;
import rlif.evaluator.grading.Grade;

/**
 * Best-of-N selection by a confidence signal, as in Kang et al., "Scalable Best-of-N Selection for Large Language
 * Models via Self-Certainty" (2025), for any of the internal signals.
 *
 * <p>The N samples of a problem are ranked by confidence, most confident first ({@code r = 1}); ties keep sample
 * order, and a sample without a defined confidence (NaN: an empty completion) ranks last.
 * <ul>
 *   <li><b>Best-of-N</b> picks the most confident sample that has an answer (a sample without an extracted answer
 *       ranks below every sample with one, as the paper's selection gives it confidence {@code -inf}); the
 *       problem counts as solved when that sample is correct, and as unsolved when no sample has an answer.
 *   <li><b>Rank-weighted voting</b> (the paper's Borda voting): the sample at rank {@code r} gives its answer
 *       {@code (N - r + 1)^p} votes, samples without an answer do not vote, answers are compared after
 *       normalisation (as maj@k compares them), and the answer with the most votes wins, a tie going to the
 *       answer seen first in sample order. {@code p = 0} is maj@k; as {@code p} grows it becomes best-of-N.
 *       {@link #VOTE_POWER} is the paper's default, 0.5.
 * </ul>
 */
public final class BestOfN {
    /** The exponent {@code p} of rank-weighted voting: the self-certainty paper's default. */
    public static final double VOTE_POWER = 0.5;

    private BestOfN() {}

    /** One sample: its graded answer and its confidence (higher is more confident; NaN when undefined). */
    public record Candidate(Grade grade, double confidence) {}

    /** Whether the most confident sample with an answer is correct; false when no sample has an answer. */
    public static boolean topIsCorrect(List<Candidate> samples) {
        for (int i : ranked(samples)) {
            Grade g = samples.get(i).grade();
            if (g.answer() != null) {
                return Boolean.TRUE.equals(g.correct());
            }
        }
        return false;
    }

    /** Whether the answer with the most rank-weighted votes {@code (N - r + 1)^power} is correct. */
    public static boolean weightedVoteIsCorrect(List<Candidate> samples, double power) {
        if (!(power >= 0)) {
            throw new IllegalArgumentException("the vote power must be >= 0, got " + power);
        }
        int n = samples.size();
        double[] weight = new double[n];
        int[] order = ranked(samples);
        for (int rank = 1; rank <= n; rank++) {
            weight[order[rank - 1]] = Math.pow(n - rank + 1, power);
        }
        Map<String, Double> votes = new LinkedHashMap<>(); // in sample order, so ties go to the answer seen first
        Map<String, Boolean> correct = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            Grade g = samples.get(i).grade();
            if (g.answer() == null) {
                continue;
            }
            String key = AnswerNormalizer.normalize(g.answer());
            votes.merge(key, weight[i], Double::sum);
            correct.putIfAbsent(key, Boolean.TRUE.equals(g.correct()));
        }
        String best = null;
        double bestVotes = 0;
        for (var e : votes.entrySet()) {
            if (best == null || e.getValue() > bestVotes) {
                best = e.getKey();
                bestVotes = e.getValue();
            }
        }
        return best != null && correct.get(best);
    }

    /** Sample indices from most to least confident; ties in sample order, NaN last. */
    static int[] ranked(List<Candidate> samples) {
        // NaN after every number, then -c puts the most confident first; the sort is stable
        return IntStream.range(0, samples.size()).boxed()
                .sorted(Comparator.comparingDouble((Integer i) -> Double.isNaN(samples.get(i).confidence()) ? 1 : 0)
                        .thenComparing(Comparator.comparingDouble((Integer i) -> -samples.get(i).confidence())))
                .mapToInt(Integer::intValue).toArray();
    }
}
