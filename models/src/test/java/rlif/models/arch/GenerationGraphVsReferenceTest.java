package rlif.models.arch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import rlif.models.dir.ModelDirectory;
import rlif.models.generation.GenerationGraph;
import rlif.models.generation.GenerationModel;
import rlif.models.generation.GenerationRun;
import rlif.models.tensor.DType;
import rlif.models.tensor.Tensor;

/**
 * For every decoder architecture rlif builds, the generation graph's greedy rollouts of a left-padded batch are the
 * greedy rollouts of the double-precision Java reference ({@link ReferenceDecoder}, recomputing the whole sequence at
 * every step), and its per-step signals are the reference's, computed in double from the reference's logits.
 *
 * <p>Tokens must be identical. Signals within 5e-5: the graph's float32 logits differ from the reference's by up to
 * ~4e-6 (see {@link DecoderVsReferenceTest}, tolerance 5e-5), and every signal is 1-Lipschitz in the largest logit
 * change except the entropy, which these logits (a few units wide) keep within twice that; the signal arithmetic itself
 * is float64 and adds ~1e-12.
 */
class GenerationGraphVsReferenceTest {
    private static final double TOL = 5e-5;

    @TempDir
    Path tmp;

    @ParameterizedTest
    @EnumSource(TinyCheckpoints.Variant.class)
    void greedyRolloutsAndSignalsEqualTheReference(TinyCheckpoints.Variant variant) throws Exception {
        DecoderConfig config = variant.config();
        Map<String, Tensor> weights = TinyCheckpoints.weights(config, 11);
        Path dir = tmp.resolve(variant.name());
        ModelDirectoryWriter.of(config, Decoders.build(config, WeightSource.of(weights, variant.name()),
                DecoderOptions.inference(DType.F32))).write(dir);
        ModelDirectory model = ModelDirectory.open(dir);
        GenerationModel graph = GenerationGraph.build(model);
        assertThat(graph.lastPositionOnly()).as("the head is cut to the last position").isTrue();

        List<int[]> prompts = List.of(new int[] {3, 14, 15, 9, 26}, new int[] {53, 5}, new int[] {8, 9, 7});
        int maxNew = 6;
        GenerationRun.Outputs out = GenerationRun.run(model, graph, prompts, maxNew, 1.0, 1, 1.0, new long[] {1, 2, 3});
        ReferenceDecoder ref = new ReferenceDecoder(config, weights);
        double worst = 0;
        for (int r = 0; r < prompts.size(); r++) {
            long[] seq = Arrays.stream(prompts.get(r)).asLongStream().toArray();
            for (int t = 0; t < maxNew; t++) {
                double[] logits = ref.logits(seq)[seq.length - 1];
                int next = argmax(logits);
                double[] s = signals(logits, next);
                String where = variant + " row " + r + " step " + t;
                assertThat(out.tokens()[t][r]).as(where).isEqualTo(next);
                assertThat(out.logsumexp()[t][r]).as(where + " logsumexp").isCloseTo(s[0], within(TOL));
                assertThat(out.entropy()[t][r]).as(where + " entropy").isCloseTo(s[1], within(TOL));
                assertThat(out.selfCertainty()[t][r]).as(where + " self-certainty").isCloseTo(s[2], within(TOL));
                assertThat(out.logprob()[t][r]).as(where + " log-prob").isCloseTo(s[3], within(TOL));
                worst = Math.max(worst, Math.max(Math.abs(out.entropy()[t][r] - s[1]), Math.abs(out.logprob()[t][r] - s[3])));
                if (config.eosTokenIds().contains(next)) {
                    break;
                }
                seq = Arrays.copyOf(seq, seq.length + 1);
                seq[seq.length - 1] = next;
            }
        }
        System.out.printf("%s generation graph vs reference: largest signal difference %.2e%n", variant, worst);
    }

    private static int argmax(double[] x) {
        int best = 0;
        for (int i = 1; i < x.length; i++) {
            best = x[i] > x[best] ? i : best;
        }
        return best;
    }

    /** logsumexp, entropy, self-certainty and the log-prob of {@code chosen}, two-pass in double (docs/signals.md). */
    private static double[] signals(double[] z, int chosen) {
        double max = Arrays.stream(z).max().orElseThrow();
        double sum = 0;
        for (double v : z) {
            sum += Math.exp(v - max);
        }
        double lse = max + Math.log(sum);
        double h = 0;
        double mean = 0;
        for (double v : z) {
            h -= Math.exp(v - lse) * (v - lse);
            mean += v / z.length;
        }
        return new double[] {lse, h, lse - mean - Math.log(z.length), z[chosen] - lse};
    }
}
