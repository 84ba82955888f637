package rlif.trainer.grpo;

/**
 * The GRPO loss in plain double-precision Java, with its gradient with respect to every per-token
 * log-prob and per-token entropy. The trainer computes the same loss inside the ONNX training graph;
 * this class is the independent reference the graph is tested against, and what per-step metrics use.
 *
 * <p>Per token t of completion i with advantage A_i: {@code r = exp(l - l_old)},
 * {@code surrogate = min(r A, clip(r, 1 - e, 1 + e) A)}, {@code k3 = exp(l_ref - l) - (l_ref - l) - 1},
 * {@code loss_t = -surrogate + klCoef k3 - entropyCoef H_t}; averaged per {@link GrpoSettings.Averaging}.
 */
public final class GrpoObjective {
    private final GrpoSettings settings;

    public GrpoObjective(GrpoSettings settings) {
        this.settings = settings;
    }

    /** Per-completion inputs; {@code refLogprobs} may be null when the KL term is off. */
    public record Completion(double[] logprobs, double[] oldLogprobs, double[] refLogprobs, double[] entropies,
            double advantage) {}

    /**
     * The loss value, its gradients (one array per completion, per token) and diagnostics: mean k3 KL
     * and the share of tokens where the clip is active (their ratio gradient is zero).
     */
    public record Result(double loss, double[][] dLogprobs, double[][] dEntropies, double meanKl, double clippedShare) {}

    public Result evaluate(Completion[] batch) {
        long totalTokens = 0;
        int nonEmpty = 0;
        for (Completion c : batch) {
            totalTokens += c.logprobs().length;
            nonEmpty += c.logprobs().length > 0 ? 1 : 0;
        }
        double loss = 0;
        double klSum = 0;
        long clipped = 0;
        double[][] dl = new double[batch.length][];
        double[][] dh = new double[batch.length][];
        double e = settings.clipEpsilon();
        for (int i = 0; i < batch.length; i++) {
            Completion c = batch[i];
            int n = c.logprobs().length;
            dl[i] = new double[n];
            dh[i] = new double[n];
            if (n == 0) {
                continue;
            }
            // the weight of one token's loss in the final average
            double w = settings.averaging() == GrpoSettings.Averaging.TOKEN
                    ? 1.0 / totalTokens
                    : 1.0 / ((double) n * nonEmpty);
            double a = c.advantage();
            for (int t = 0; t < n; t++) {
                double l = c.logprobs()[t];
                double r = Math.exp(l - c.oldLogprobs()[t]);
                double clippedR = Math.min(Math.max(r, 1 - e), 1 + e);
                double unclippedTerm = r * a;
                double clippedTerm = clippedR * a;
                double surrogate;
                double dSurrogate;
                if (unclippedTerm <= clippedTerm) {
                    surrogate = unclippedTerm;
                    dSurrogate = a * r;
                } else {
                    surrogate = clippedTerm;
                    dSurrogate = 0; // the clipped branch is constant in l outside (1 - e, 1 + e)
                    clipped++;
                }
                double tokenLoss = -surrogate;
                double dToken = -dSurrogate;
                if (settings.klCoef() > 0) {
                    double diff = c.refLogprobs()[t] - l;
                    double k3 = Math.exp(diff) - diff - 1;
                    klSum += k3;
                    tokenLoss += settings.klCoef() * k3;
                    dToken += settings.klCoef() * (1 - Math.exp(diff));
                }
                if (settings.entropyCoef() > 0) {
                    tokenLoss -= settings.entropyCoef() * c.entropies()[t];
                    dh[i][t] = -settings.entropyCoef() * w;
                }
                loss += w * tokenLoss;
                dl[i][t] = w * dToken;
            }
        }
        double meanKl = totalTokens == 0 ? 0 : klSum / totalTokens;
        double clippedShare = totalTokens == 0 ? 0 : (double) clipped / totalTokens;
        return new Result(loss, dl, dh, meanKl, clippedShare);
    }
}
