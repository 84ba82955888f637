package rlif.trainer.loop;

import java.util.ArrayList;
import java.util.List;
import rlif.evaluator.data.Problem;
import rlif.evaluator.grading.Grader;
import rlif.evaluator.rollout.Rollout;
import rlif.evaluator.rollout.RolloutRequest;
import rlif.evaluator.rollout.SamplingParams;
import rlif.trainer.data.TrainingData;

/**
 * Samples the current policy on problems, {@code samples} completions each, in engine batches of at most
 * {@code batchSize} rows (so the KV cache and logits the engine holds are bounded whatever the step's size), and
 * grades each completion with the grader {@code rlif score} uses.
 */
final class Rollouts {
    private Rollouts() {}

    /** A graded rollout: what the engine returned, the decoded text, and correctness (null without a reference). */
    record Graded(Problem problem, Rollout rollout, String text, Boolean correct) {}

    /** Row {@code p * samples + s} is sample {@code s} of problem {@code p}, with its own seed from {@code seed}. */
    static List<Graded> generate(Policy policy, StartingModel model, List<Problem> problems, int samples,
            SamplingParams params, long seed, int batchSize) {
        List<RolloutRequest> requests = new ArrayList<>();
        List<Problem> of = new ArrayList<>();
        for (int p = 0; p < problems.size(); p++) {
            int[] prompt = model.promptIds(problems.get(p));
            for (int s = 0; s < samples; s++) {
                requests.add(new RolloutRequest(prompt, TrainingData.stepSeed(seed, (long) p * samples + s)));
                of.add(problems.get(p));
            }
        }
        List<Graded> out = new ArrayList<>(requests.size());
        for (int start = 0; start < requests.size(); start += batchSize) {
            List<RolloutRequest> chunk = requests.subList(start, Math.min(requests.size(), start + batchSize));
            List<Rollout> rs = policy.engine().generate(chunk, params);
            // each engine batch frees its KV caches and logits before the next allocates its own
            FreedMemory.releaseAfter("rollout batch " + start / batchSize);
            for (int i = 0; i < rs.size(); i++) {
                Rollout r = rs.get(i);
                Problem problem = of.get(start + i);
                String text = model.tokenizer().decode(r.completionIds(), true);
                out.add(new Graded(problem, r, text, Grader.grade(text, problem.reference()).correct()));
            }
        }
        return out;
    }
}
