package rlif.trainer.grpo;

import java.util.Locale;

/** TRL's {@code scale_rewards}: what the centred rewards are divided by before they become advantages. */
public enum ScaleRewards {
    /** The standard deviation of the completion's group (GRPO). */
    GROUP,
    /** The standard deviation of the whole step's rewards. */
    BATCH,
    /** Nothing (Dr. GRPO: no question-level difficulty bias). */
    NONE;

    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }
}
