package rlif.models.arch;

/**
 * Rotary-embedding frequency scaling from {@code rope_scaling}: {@code llama3} (Llama 3.1/3.2 piecewise
 * scaling) or {@code linear} (positions divided by {@code factor}).
 */
public record RopeScaling(String type, double factor, double lowFreqFactor, double highFreqFactor, int originalMaxPositions) {
    /** Applies the scaling to unscaled inverse frequencies {@code theta^(-2i/d)}. */
    public double[] apply(double[] invFreq) {
        double[] out = invFreq.clone();
        switch (type) {
            case "linear" -> {
                for (int i = 0; i < out.length; i++) {
                    out[i] = invFreq[i] / factor;
                }
            }
            case "llama3" -> {
                // Llama 3.1: long wavelengths are slowed by `factor`, short ones kept, the band between blended.
                double lowFreqWavelen = originalMaxPositions / lowFreqFactor;
                double highFreqWavelen = originalMaxPositions / highFreqFactor;
                for (int i = 0; i < out.length; i++) {
                    double wavelen = 2 * Math.PI / invFreq[i];
                    if (wavelen < highFreqWavelen) {
                        out[i] = invFreq[i];
                    } else if (wavelen > lowFreqWavelen) {
                        out[i] = invFreq[i] / factor;
                    } else {
                        double smooth = (originalMaxPositions / wavelen - lowFreqFactor) / (highFreqFactor - lowFreqFactor);
                        out[i] = (1 - smooth) * invFreq[i] / factor + smooth * invFreq[i];
                    }
                }
            }
            default -> throw new IllegalStateException("rope scaling " + type);
        }
        return out;
    }
}
