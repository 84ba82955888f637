package rlif.trainer.loop;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import rlif.evaluator.rollout.FinishReason;
import rlif.evaluator.rollout.TrajectorySignals;
import rlif.trainer.metrics.TextMetrics;

/**
 * What a metrics row says about a set of rollouts (a training batch or the held-out evaluation): accuracy,
 * the internal signals, completion lengths under TRL's names ({@code completions/mean_length},
 * {@code completions/clipped_ratio}: the share cut at the length limit), and rlif's collapse diagnostics
 * (distinct 3-grams, transitional words).
 */
final class RolloutMetrics {
    private RolloutMetrics() {}

    static Map<String, Object> of(List<Rollouts.Graded> gs) {
        Map<String, Object> m = new LinkedHashMap<>();
        double correct = 0;
        double graded = 0;
        double h = 0;
        double sc = 0;
        double te = 0;
        double len = 0;
        int minLen = Integer.MAX_VALUE;
        int maxLen = 0;
        double cut = 0;
        double distinct = 0;
        double trans = 0;
        int withSignals = 0;
        for (Rollouts.Graded g : gs) {
            if (g.correct() != null) {
                graded++;
                correct += g.correct() ? 1 : 0;
            }
            TrajectorySignals s = g.rollout().signals();
            if (g.rollout().numTokens() > 0 && Double.isFinite(s.tokenEntropy())) {
                h += s.tokenEntropy();
                sc += s.selfCertainty();
                te += s.trajectoryEntropy();
                withSignals++;
            }
            int n = g.rollout().numTokens();
            len += n;
            minLen = Math.min(minLen, n);
            maxLen = Math.max(maxLen, n);
            cut += g.rollout().finishReason() == FinishReason.LENGTH ? 1 : 0;
            distinct += TextMetrics.distinctNgramRatio(g.rollout().completionIds(), 3);
            trans += TextMetrics.transitionalRate(g.text());
        }
        int n = Math.max(1, gs.size());
        m.put("accuracy", graded == 0 ? null : correct / graded);
        m.put("graded", (int) graded); // the report's interval for the accuracy
        m.put("token_entropy", withSignals == 0 ? null : h / withSignals);
        m.put("self_certainty", withSignals == 0 ? null : sc / withSignals);
        m.put("trajectory_entropy", withSignals == 0 ? null : te / withSignals);
        m.put("completions/mean_length", len / n);
        m.put("completions/min_length", gs.isEmpty() ? 0 : minLen);
        m.put("completions/max_length", maxLen);
        m.put("completions/clipped_ratio", cut / n);
        m.put("distinct_3gram_ratio", distinct / n);
        m.put("transitional_rate", trans / n);
        return m;
    }
}
