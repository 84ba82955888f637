package rlif.evaluator.metrics;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import rlif.evaluator.grading.AnswerNormalizer;
import rlif.evaluator.grading.Grade;

/**
 * maj@k: the most frequent (normalised) answer among the first k samples of a problem is the problem's
 * answer; samples without an answer do not vote, and a tie goes to the answer that appeared first.
 */
public final class MajorityVote {
    private MajorityVote() {}

    /** Whether the majority answer of {@code grades} is correct; false when no sample gave an answer. */
    public static boolean isCorrect(List<Grade> grades) {
        Map<String, Integer> votes = new LinkedHashMap<>();
        Map<String, Boolean> correct = new LinkedHashMap<>();
        for (Grade g : grades) {
            if (g.answer() == null) {
                continue;
            }
            String key = AnswerNormalizer.normalize(g.answer());
            votes.merge(key, 1, Integer::sum);
            correct.putIfAbsent(key, Boolean.TRUE.equals(g.correct()));
        }
        String best = null;
        int bestVotes = 0;
        for (var e : votes.entrySet()) {
            if (e.getValue() > bestVotes) {
                best = e.getKey();
                bestVotes = e.getValue();
            }
        }
        return best != null && correct.get(best);
    }
}
