package rlif.trainer.grpo;

/**
 * Group-relative advantages of GRPO: each completion's reward minus its group's mean, optionally divided
 * by the group's standard deviation (the Dr. GRPO variant drops that division).
 *
 * <p>The deviation is the sample (n - 1) one with {@code 1e-4} added, as in TRL's GRPOTrainer, so a group
 * whose rewards are all equal gets advantage 0 instead of 0/0.
 */
public final class Advantages {
    static final double STD_EPSILON = 1e-4;

    private Advantages() {}

    /** Advantages for {@code rewards} laid out group after group, each of {@code groupSize} entries. */
    public static double[] groupNormalised(double[] rewards, int groupSize, boolean divideByStd) {
        if (groupSize < 1 || rewards.length % groupSize != 0) {
            throw new IllegalArgumentException(rewards.length + " rewards do not split into groups of " + groupSize);
        }
        double[] out = new double[rewards.length];
        for (int start = 0; start < rewards.length; start += groupSize) {
            double mean = 0;
            for (int i = 0; i < groupSize; i++) {
                mean += rewards[start + i];
            }
            mean /= groupSize;
            double var = 0;
            for (int i = 0; i < groupSize; i++) {
                double d = rewards[start + i] - mean;
                var += d * d;
            }
            double std = groupSize > 1 ? Math.sqrt(var / (groupSize - 1)) : 0;
            for (int i = 0; i < groupSize; i++) {
                double centred = rewards[start + i] - mean;
                out[start + i] = divideByStd ? centred / (std + STD_EPSILON) : centred;
            }
        }
        return out;
    }

    /** The share of groups whose rewards are all equal: their advantages are zero and teach nothing. */
    public static double flatGroupShare(double[] rewards, int groupSize) {
        int groups = rewards.length / groupSize;
        int flat = 0;
        for (int start = 0; start < rewards.length; start += groupSize) {
            boolean allEqual = true;
            for (int i = 1; i < groupSize; i++) {
                allEqual &= rewards[start + i] == rewards[start];
            }
            flat += allEqual ? 1 : 0;
        }
        return groups == 0 ? 0 : (double) flat / groups;
    }
}
