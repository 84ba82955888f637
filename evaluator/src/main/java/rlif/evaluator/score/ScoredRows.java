package rlif.evaluator.score;

import rlif.evaluator.prompt.PromptEncoder;
import rlif.evaluator.data.Problem;
import rlif.evaluator.grading.Grade;
import rlif.evaluator.grading.Grader;
import rlif.evaluator.report.RolloutRow;
import rlif.evaluator.rollout.Rollout;
import rlif.evaluator.rollout.TrajectorySignals;
import rlif.models.tokenizer.ModelTokenizer;

/** The one way a rollout, generated or teacher-forced, becomes a graded {@code rollouts.jsonl} row. */
final class ScoredRows {
    private ScoredRows() {}

    /**
     * The row of {@code problem}'s {@code sample}: the completion decoded (special tokens dropped; empty without
     * a tokenizer) and graded against the reference, the trajectory signals, and with {@code tokenSignals} the
     * per-token arrays and the prompt's ids ({@code promptIds} also when the data gave ids).
     */
    static RolloutRow of(Problem problem, int sample, PromptEncoder.Encoded prompt, Rollout r, ModelTokenizer tokenizer,
            boolean tokenSignals) {
        String completion = tokenizer == null ? "" : tokenizer.decode(r.completionIds(), true);
        Grade grade = Grader.grade(completion, problem.reference());
        TrajectorySignals s = r.signals();
        boolean promptIds = tokenSignals || !problem.hasText();
        return new RolloutRow(problem.index(), problem.id(), sample, prompt.text(), prompt.rendered() ? "chat" : "plain",
                promptIds ? prompt.ids().clone() : null, completion, r.completionIds(), r.finishReason().json(),
                r.numTokens(), s.tokenEntropy(), s.selfCertainty(), s.trajectoryEntropy(), s.sumLogprob(), grade.answer(),
                problem.reference(), grade.correct(), tokenSignals ? r.tokenLogprobs() : null,
                tokenSignals ? r.tokenEntropies() : null, tokenSignals ? r.tokenSelfCertainties() : null);
    }
}
