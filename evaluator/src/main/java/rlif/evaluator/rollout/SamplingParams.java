package rlif.evaluator.rollout;

import rlif.models.BadInputException;

/**
 * How the next token is drawn: {@code temperature == 0} is greedy; otherwise logits are divided by the
 * temperature and truncated by top-k ({@code 0} = off) and top-p ({@code 1} = off) before sampling.
 * Signals always use the full, untruncated distribution (docs/signals.md).
 */
public record SamplingParams(double temperature, int topK, double topP, int maxNewTokens) {
    public SamplingParams {
        if (!(temperature >= 0) || Double.isInfinite(temperature)) {
            throw new BadInputException("--temperature must be a finite number >= 0, got " + temperature);
        }
        if (topK < 0) {
            throw new BadInputException("--top-k must be >= 0 (0 turns it off), got " + topK);
        }
        if (!(topP > 0 && topP <= 1)) {
            throw new BadInputException("--top-p must be in (0, 1], got " + topP);
        }
        if (maxNewTokens < 1) {
            throw new BadInputException("--max-new-tokens must be >= 1, got " + maxNewTokens);
        }
    }

    public static SamplingParams greedy(int maxNewTokens) {
        return new SamplingParams(0, 0, 1, maxNewTokens);
    }

    public boolean isGreedy() {
        return temperature == 0;
    }

    /** The temperature the signals are computed at: the sampling temperature, or 1 when greedy. */
    public double signalTemperature() {
        return isGreedy() ? 1.0 : temperature;
    }
}
