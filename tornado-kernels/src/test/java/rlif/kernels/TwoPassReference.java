package rlif.kernels;

/**
 * The independent reference for every backend: double precision, two passes (the maximum first, then the
 * sums relative to it), and entropy as {@code sum p (lse - z)} rather than the kernels' {@code log s - t/s}.
 */
record TwoPassReference(
        double logsumexp, double entropy, double selfCertainty, double chosenLogprob, int argmax, double meanAbsZ) {

    static TwoPassReference of(float[] row, double temperature, int chosen) {
        int vocab = row.length;
        double max = Double.NEGATIVE_INFINITY;
        int argmax = 0;
        double meanAbsZ = 0;
        for (int j = 0; j < vocab; j++) {
            if (row[j] > max) {
                max = row[j];
                argmax = j;
            }
        }
        double zMax = max / temperature;
        double s = 0;
        double mean = 0;
        for (int j = 0; j < vocab; j++) {
            double z = row[j] / temperature;
            mean += z / vocab;
            if (z != Double.NEGATIVE_INFINITY) {
                s += Math.exp(z - zMax);
                meanAbsZ += Math.abs(z) / vocab;
            }
        }
        double lse = zMax + Math.log(s);
        double entropy = 0;
        for (float x : row) {
            double z = x / temperature;
            if (z != Double.NEGATIVE_INFINITY) {
                entropy += Math.exp(z - lse) * (lse - z);
            }
        }
        double selfCertainty = lse - mean - Math.log(vocab);
        return new TwoPassReference(lse, entropy, selfCertainty, row[chosen] / temperature - lse, argmax, meanAbsZ);
    }
}
