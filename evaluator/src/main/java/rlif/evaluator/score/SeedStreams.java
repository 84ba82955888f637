package rlif.evaluator.score;

/**
 * The seed of each rollout's random stream, a pure function of (run seed, prompt index, sample), so a
 * resumed run, or the same row in another batch, samples exactly the same tokens.
 */
public final class SeedStreams {
    private SeedStreams() {}

    public static long seed(long runSeed, int promptIndex, int sample) {
        long x = mix(runSeed + 0x9E3779B97F4A7C15L);
        x = mix(x ^ (0xBF58476D1CE4E5B9L * (promptIndex + 1L)));
        return mix(x ^ (0x94D049BB133111EBL * (sample + 1L)));
    }

    /** SplitMix64's finaliser: a bijection that spreads every input bit over the output. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
