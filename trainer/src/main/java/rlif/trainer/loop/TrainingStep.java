package rlif.trainer.loop;

import java.util.Map;

/** One optimiser step of a run (SFT or GRPO), holding everything it needs between steps. */
interface TrainingStep {
    /** Runs step {@code step} (1-based) and returns its metrics (without {@code step} itself). */
    Map<String, Object> run(long step);

    /** Tokens fed to the model by this step (prompt and completion, as TRL's {@code num_tokens} counts them). */
    long inputTokens();
}
