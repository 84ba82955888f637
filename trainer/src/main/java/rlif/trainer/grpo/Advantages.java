package rlif.trainer.grpo;

import java.util.Random;

/**
 * Group-relative advantages of GRPO, as TRL computes them: each completion's reward minus its group's mean,
 * divided by a standard deviation chosen by {@link ScaleRewards} (its group's, the whole step's, or none).
 *
 * <p>The deviation is the sample (n - 1) one with {@code 1e-4} added, as in TRL's GRPOTrainer, so a group
 * whose rewards are all equal gets advantage 0 instead of 0/0.
 */
public final class Advantages {
    static final double STD_EPSILON = 1e-4;
    /** {@code torch.isclose(std, 0)}'s absolute tolerance: TRL counts such deviations as zero. */
    static final double ZERO_STD = 1e-8;

    private Advantages() {}

    /** Advantages for {@code rewards} laid out group after group, each of {@code groupSize} entries. */
    public static double[] of(double[] rewards, int groupSize, ScaleRewards scale) {
        checkGroups(rewards, groupSize);
        double[] out = new double[rewards.length];
        double batchStd = std(rewards, 0, rewards.length);
        for (int start = 0; start < rewards.length; start += groupSize) {
            double mean = mean(rewards, start, groupSize);
            double std = scale == ScaleRewards.BATCH ? batchStd : std(rewards, start, groupSize);
            for (int i = start; i < start + groupSize; i++) {
                double centred = rewards[i] - mean;
                out[i] = scale == ScaleRewards.NONE ? centred : centred / (std + STD_EPSILON);
            }
        }
        return out;
    }

    /**
     * TRL's {@code frac_reward_zero_std}: the share of completions whose deviation (their group's, or the step's
     * under {@link ScaleRewards#BATCH}) is zero. Under group scaling it is the share of flat groups, which teach
     * nothing.
     */
    public static double zeroStdShare(double[] rewards, int groupSize, ScaleRewards scale) {
        checkGroups(rewards, groupSize);
        if (scale == ScaleRewards.BATCH) {
            return std(rewards, 0, rewards.length) <= ZERO_STD ? 1 : 0;
        }
        int flat = 0;
        for (int start = 0; start < rewards.length; start += groupSize) {
            flat += std(rewards, start, groupSize) <= ZERO_STD ? 1 : 0;
        }
        return rewards.length == 0 ? 0 : (double) flat * groupSize / rewards.length;
    }

    /**
     * The rewards permuted within each group (a seeded Fisher-Yates shuffle per group): a control whose advantages
     * carry no information about the completions, so whatever the policy does under it is optimiser drift.
     */
    public static double[] shuffledWithinGroups(double[] rewards, int groupSize, long seed) {
        checkGroups(rewards, groupSize);
        double[] out = rewards.clone();
        Random rnd = new Random(seed);
        for (int start = 0; start < out.length; start += groupSize) {
            for (int i = groupSize - 1; i > 0; i--) {
                int j = rnd.nextInt(i + 1);
                double t = out[start + i];
                out[start + i] = out[start + j];
                out[start + j] = t;
            }
        }
        return out;
    }

    /** Mean of {@code n} values from {@code start}. */
    static double mean(double[] xs, int start, int n) {
        double s = 0;
        for (int i = start; i < start + n; i++) {
            s += xs[i];
        }
        return n == 0 ? 0 : s / n;
    }

    /** Sample standard deviation of {@code n} values from {@code start} (0 for fewer than two). */
    public static double std(double[] xs, int start, int n) {
        if (n < 2) {
            return 0;
        }
        double mean = mean(xs, start, n);
        double var = 0;
        for (int i = start; i < start + n; i++) {
            double d = xs[i] - mean;
            var += d * d;
        }
        return Math.sqrt(var / (n - 1));
    }

    private static void checkGroups(double[] rewards, int groupSize) {
        if (groupSize < 1 || rewards.length % groupSize != 0) {
            throw new IllegalArgumentException(rewards.length + " rewards do not split into groups of " + groupSize);
        }
    }
}
