package rlif.evaluator.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import rlif.kernels.LogitRows;
import rlif.kernels.SignalBatch;
import rlif.kernels.SignalKernel;
import rlif.kernels.SignalKernels;
import rlif.models.dir.ModelDirectory;
import rlif.models.tokenizer.ModelTokenizer;

/**
 * The scoring graph's in-graph reduction on real decoders: one sequence scored alone, in one run, against the
 * logits the plain decoder gives for the same sequence in one run of the same shape ({@link FullSequenceReference}),
 * reduced by the scalar signal kernel and by the double two-pass reference ({@link TeacherForcedSignals}).
 *
 * <p>Same model, same inputs, same shapes: the logits inside the scoring graph are the plain decoder's, so
 * what differs is only the reduction ({@code GraphSignals} in float32 with double sums, versus the kernels).
 * Tolerance 1e-5, from {@code GraphSignalsTest}'s bounds for logits within +-30 at T = 1 and 0.7.
 */
class ScoringGraphMatchesKernelTest {
    private static final double TOLERANCE = 1e-5;

    private static double check(ModelDirectory model, int[] prompt, int[] completion, double t) throws Exception {
        Rollout scored;
        try (OnnxTeacherForcing tf = new OnnxTeacherForcing(model, EngineOptions.defaults())) {
            scored = tf.score(List.of(new ForcedRequest(prompt, completion)), t).getFirst();
        }
        int[] seq = new int[prompt.length + completion.length - 1];
        System.arraycopy(prompt, 0, seq, 0, prompt.length);
        System.arraycopy(completion, 0, seq, prompt.length, completion.length - 1);
        double[][] logits;
        try (FullSequenceReference ref = new FullSequenceReference(model)) {
            logits = ref.logits(seq);
        }
        int vocab = model.config().vocab();
        float[] rows = new float[completion.length * vocab];
        for (int k = 0; k < completion.length; k++) {
            for (int j = 0; j < vocab; j++) {
                rows[k * vocab + j] = (float) logits[prompt.length - 1 + k][j];
            }
        }
        SignalBatch kernelOut = new SignalBatch(completion.length);
        try (SignalKernel scalar = SignalKernels.create("scalar")) {
            scalar.compute(LogitRows.of(rows, completion.length, vocab), t, completion, kernelOut);
        }
        double worst = 0;
        for (int k = 0; k < completion.length; k++) {
            TeacherForcedSignals want = TeacherForcedSignals.of(logits[prompt.length - 1 + k], t, completion[k]);
            String at = model.dir().getFileName() + " token " + k + " at T=" + t;
            worst = Math.max(worst, close(at + " log-prob vs double", scored.tokenLogprobs()[k], want.logprob()));
            worst = Math.max(worst, close(at + " entropy vs double", scored.tokenEntropies()[k], want.entropy()));
            worst = Math.max(worst, close(at + " self-certainty vs double", scored.tokenSelfCertainties()[k], want.selfCertainty()));
            worst = Math.max(worst, close(at + " log-prob vs scalar kernel", scored.tokenLogprobs()[k], kernelOut.chosenLogprob[k]));
            worst = Math.max(worst, close(at + " entropy vs scalar kernel", scored.tokenEntropies()[k], kernelOut.entropy[k]));
            worst = Math.max(worst, close(at + " self-certainty vs scalar kernel", scored.tokenSelfCertainties()[k],
                    kernelOut.selfCertainty[k]));
        }
        System.out.printf("scoring graph vs kernels on %s logits, T=%s: %d tokens, largest difference %.3g%n",
                model.dir().getFileName(), t, completion.length, worst);
        return worst;
    }

    private static double close(String what, double actual, double expected) {
        double d = Math.abs(actual - expected);
        assertThat(d).as("%s: graph %s, reference %s", what, actual, expected).isLessThanOrEqualTo(TOLERANCE);
        return d;
    }

    @Test
    void arithBaseGraphSignalsEqualTheKernelsOnTheSameLogits() throws Exception {
        ModelDirectory model = ModelDirectory.open(TeacherForcingMatchesGenerationTest.committed("arith-base"));
        try (ModelTokenizer tok = model.openTokenizer()) {
            int[] prompt = tok.encode("12+7*3=", true);
            int[] completion = tok.encode("7*3=21, 12+21=33. The answer is 33", false);
            check(model, prompt, completion, 1.0);
            check(model, prompt, completion, 0.7);
        }
    }

    @Test
    void gpt2FixtureGraphSignalsEqualTheKernelsOnTheSameLogits() throws Exception {
        check(Fixtures.gpt2(), new int[] {5, 17, 300, 42}, new int[] {7, 8, 9, 998, 1, 44}, 1.0);
    }

    @Test
    void llamaFloat16FixtureGraphSignalsEqualTheKernelsOnTheSameLogits() throws Exception {
        check(Fixtures.llama(), new int[] {1, 450, 1234, 29871}, new int[] {310, 263, 31000, 2, 5}, 0.7);
    }

    @Test
    void smolLm2GraphSignalsEqualTheKernelsOnTheSameLogits() throws Exception {
        String dir = System.getProperty("rlif.smollm2.dir");
        Assumptions.assumeTrue(dir != null && !dir.isBlank(), "set -Drlif.smollm2.dir to an fp32 import of SmolLM2");
        ModelDirectory model = ModelDirectory.open(Path.of(dir));
        try (ModelTokenizer tok = model.openTokenizer()) {
            int[] prompt = tok.encode("Question: Natalia sold 48 clips in April and half as many in May. How many in all?", true);
            int[] completion = tok.encode(" In May she sold 48 / 2 = 24 clips, so 48 + 24 = 72 in all. The answer is 72.", false);
            check(model, prompt, completion, 1.0);
            check(model, prompt, completion, 0.7);
        }
    }
}
