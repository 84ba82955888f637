package rlif.evaluator.rollout;

/**
 * docs/signals.md computed independently in double from one row of full logits: two plain passes
 * (max, then sums), no online rescaling, nothing shared with the kernels under test.
 */
record TeacherForcedSignals(double logprob, double entropy, double selfCertainty) {
    static TeacherForcedSignals of(double[] logits, double temperature, int chosen) {
        int v = logits.length;
        double max = Double.NEGATIVE_INFINITY;
        for (double l : logits) {
            max = Math.max(max, l / temperature);
        }
        double sumExp = 0;
        double mean = 0;
        for (double l : logits) {
            double z = l / temperature;
            sumExp += Math.exp(z - max);
            mean += z / v;
        }
        double lse = max + Math.log(sumExp);
        double expectedZ = 0;
        for (double l : logits) {
            double z = l / temperature;
            expectedZ += Math.exp(z - lse) * z;
        }
        return new TeacherForcedSignals(logits[chosen] / temperature - lse, lse - expectedZ, lse - mean - Math.log(v));
    }
}
