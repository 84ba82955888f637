package rlif.trainer.loop;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import rlif.evaluator.data.ArithProblem;
import rlif.evaluator.grading.Grader;
import rlif.evaluator.rollout.FinishReason;
import rlif.evaluator.rollout.Rollout;
import rlif.evaluator.rollout.RolloutRequest;
import rlif.evaluator.rollout.SamplingParams;
import rlif.evaluator.rollout.TrajectorySignals;
import rlif.models.tokenizer.ModelTokenizer;
import rlif.trainer.metrics.TextMetrics;

/** Rollouts on problems with their grades and the per-batch means a metrics row reports. */
final class Evaluation {
    private Evaluation() {}

    /** Graded rollouts: what a row of rollouts says, plus the decoded text and correctness. */
    record Graded(Rollout rollout, String text, Boolean correct) {}

    static List<Graded> generate(Policy policy, ModelTokenizer tok, Integer bos, List<ArithProblem> problems,
            int samples, SamplingParams params, long seed, int batchSize) {
        List<RolloutRequest> requests = new ArrayList<>();
        List<String> refs = new ArrayList<>();
        for (int p = 0; p < problems.size(); p++) {
            int[] prompt = promptIds(tok, bos, problems.get(p).prompt());
            for (int s = 0; s < samples; s++) {
                requests.add(new RolloutRequest(prompt, Problems.stepSeed(seed, (long) p * samples + s)));
                refs.add(String.valueOf(problems.get(p).answer()));
            }
        }
        List<Graded> out = new ArrayList<>();
        for (int start = 0; start < requests.size(); start += batchSize) {
            List<RolloutRequest> chunk = requests.subList(start, Math.min(requests.size(), start + batchSize));
            List<Rollout> rs = policy.engine().generate(chunk, params);
            for (int i = 0; i < rs.size(); i++) {
                Rollout r = rs.get(i);
                String text = tok.decode(r.completionIds(), true);
                out.add(new Graded(r, text, Grader.grade(text, refs.get(start + i)).correct()));
            }
        }
        return out;
    }

    static int[] promptIds(ModelTokenizer tok, Integer bos, String text) {
        int[] ids = tok.encode(text, false);
        if (bos == null) {
            return ids;
        }
        int[] out = new int[ids.length + 1];
        out[0] = bos;
        System.arraycopy(ids, 0, out, 1, ids.length);
        return out;
    }

    /** Means over rollouts: accuracy, signals, length, cut-off share, repetition, transitional words. */
    static Map<String, Object> summary(List<Graded> gs) {
        Map<String, Object> m = new LinkedHashMap<>();
        double correct = 0;
        double graded = 0;
        double h = 0;
        double sc = 0;
        double te = 0;
        double len = 0;
        double cut = 0;
        double distinct = 0;
        double trans = 0;
        int withSignals = 0;
        for (Graded g : gs) {
            if (g.correct() != null) {
                graded++;
                correct += g.correct() ? 1 : 0;
            }
            TrajectorySignals s = g.rollout().signals();
            if (g.rollout().numTokens() > 0) {
                h += s.tokenEntropy();
                sc += s.selfCertainty();
                te += s.trajectoryEntropy();
                withSignals++;
            }
            len += g.rollout().numTokens();
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
        m.put("completion_length", len / n);
        m.put("truncated_share", cut / n);
        m.put("distinct_3gram_ratio", distinct / n);
        m.put("transitional_rate", trans / n);
        return m;
    }
}
