package rlif.trainer.grpo;

/**
 * The GRPO loss of TRL's {@code GRPOTrainer}, written out in plain double-precision Java with its gradient with
 * respect to every per-token log-prob and entropy, and the statistics TRL logs: the independent reference that the
 * training graph's loss head ({@code LossHeads}), its statistics outputs and micro-batching are tested against.
 * Nothing in the product calls it.
 *
 * <p>Per token t of completion i with advantage A_i: {@code r = exp(l - l_old)},
 * {@code surrogate = min(r A, clip(r, 1 - eps_low, 1 + eps_high) A)}, {@code k3 = exp(l_ref - l) - (l_ref - l) - 1},
 * {@code loss = sum_i sum_t w_i (-surrogate + beta k3) - entropy_coef mean_t H}, where {@code w_i} is the loss
 * type's normaliser over the whole batch (one micro-batch).
 */
public final class GrpoObjective {
    private final GrpoSettings settings;
    private final int maxCompletionLength;

    public GrpoObjective(GrpoSettings settings, int maxCompletionLength) {
        this.settings = settings;
        this.maxCompletionLength = maxCompletionLength;
    }

    /** Per-completion inputs; {@code refLogprobs} may be null when the KL term is off. */
    public record Completion(double[] logprobs, double[] oldLogprobs, double[] refLogprobs, double[] entropies,
            double advantage) {}

    /**
     * The loss value, its gradients (one array per completion, per token), and TRL's statistics over all tokens:
     * mean token entropy, mean k3 KL, and the shares of tokens clipped below and above.
     */
    public record Result(double loss, double[][] dLogprobs, double[][] dEntropies, double meanEntropy, double meanKl,
            double clipLow, double clipHigh) {}

    public Result evaluate(Completion[] batch) {
        long totalTokens = 0;
        for (Completion c : batch) {
            totalTokens += c.logprobs().length;
        }
        double loss = 0;
        double klSum = 0;
        double entropySum = 0;
        long low = 0;
        long high = 0;
        double[][] dl = new double[batch.length][];
        double[][] dh = new double[batch.length][];
        double el = settings.epsilonLow();
        double eh = settings.epsilonHigh();
        for (int i = 0; i < batch.length; i++) {
            Completion c = batch[i];
            int n = c.logprobs().length;
            dl[i] = new double[n];
            dh[i] = new double[n];
            if (n == 0) {
                continue;
            }
            double w = switch (settings.lossType()) {
                case GRPO -> 1.0 / ((double) n * batch.length);
                case DR_GRPO -> 1.0 / ((double) batch.length * maxCompletionLength);
                case DAPO, BNPO -> 1.0 / totalTokens;
            };
            double a = c.advantage();
            for (int t = 0; t < n; t++) {
                double l = c.logprobs()[t];
                double r = Math.exp(l - c.oldLogprobs()[t]);
                double clippedR = Math.min(Math.max(r, 1 - el), 1 + eh);
                double surrogate;
                double dSurrogate;
                if (r * a <= clippedR * a) {
                    surrogate = r * a;
                    dSurrogate = a * r;
                } else {
                    surrogate = clippedR * a;
                    dSurrogate = 0; // the clipped branch is constant in l outside the range
                }
                low += r < 1 - el && a < 0 ? 1 : 0;
                high += r > 1 + eh && a > 0 ? 1 : 0;
                double tokenLoss = -surrogate;
                double dToken = -dSurrogate;
                if (settings.beta() > 0) {
                    double diff = c.refLogprobs()[t] - l;
                    double k3 = Math.exp(diff) - diff - 1;
                    klSum += k3;
                    tokenLoss += settings.beta() * k3;
                    dToken += settings.beta() * (1 - Math.exp(diff));
                }
                if (c.entropies() != null) {
                    entropySum += c.entropies()[t];
                }
                if (settings.entropyCoef() > 0) {
                    loss -= settings.entropyCoef() * c.entropies()[t] / totalTokens;
                    dh[i][t] = -settings.entropyCoef() / totalTokens;
                }
                loss += w * tokenLoss;
                dl[i][t] = w * dToken;
            }
        }
        double tokens = Math.max(1, totalTokens);
        return new Result(loss, dl, dh, entropySum / tokens, klSum / tokens, low / tokens, high / tokens);
    }
}
