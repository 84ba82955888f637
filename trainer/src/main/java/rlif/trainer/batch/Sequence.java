package rlif.trainer.batch;

/**
 * One sequence of a training step: prompt ids (as the model saw them), completion ids (the worked solution and
 * eos for SFT, the sampled tokens for GRPO), and for GRPO the sampler's log-prob of each completion token and the
 * completion's advantage ({@code oldLogp} null and advantage 0 for SFT).
 */
public record Sequence(int[] prompt, int[] completion, double[] oldLogp, double advantage) {
    public Sequence {
        if (oldLogp != null && oldLogp.length != completion.length) {
            throw new IllegalArgumentException("one old log-prob per completion token");
        }
    }

    /** An SFT sequence. */
    public static Sequence supervised(int[] prompt, int[] completion) {
        return new Sequence(prompt, completion, null, 0);
    }

    int length() {
        return prompt.length + completion.length;
    }
}
