package rlif.evaluator.metrics;

/**
 * The unbiased pass@k estimator of Chen et al. (2021): the chance that at least one of k samples drawn
 * without replacement from n (of which c are correct) is correct, {@code 1 - C(n-c, k) / C(n, k)}.
 */
public final class PassAtK {
    private PassAtK() {}

    public static double estimate(int n, int c, int k) {
        if (k < 1 || k > n || c < 0 || c > n) {
            throw new IllegalArgumentException("need 1 <= k <= n and 0 <= c <= n, got n=" + n + " c=" + c + " k=" + k);
        }
        if (n - c < k) {
            return 1.0;
        }
        // C(n-c, k) / C(n, k) as a product of k factors, which stays in range where the binomials would not.
        double miss = 1.0;
        for (int i = n - c + 1; i <= n; i++) {
            miss *= 1.0 - (double) k / i;
        }
        return 1.0 - miss;
    }
}
