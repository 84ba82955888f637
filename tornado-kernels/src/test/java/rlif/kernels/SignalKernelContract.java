package rlif.kernels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The property every backend must have: on every {@link LogitCase} its signals match {@link TwoPassReference}
 * within the float32 tolerances below (docs/signals.md gives the same derivation).
 *
 * <p>Tolerances. A backend may keep its sums in float32 for at most {@value #MAX_FLOAT_TERMS} terms before
 * moving to double. The terms of {@code s = sum exp(z - max)} are positive, so float summation of n of them has
 * relative error at most {@code n u} with {@code u = 2^-24}, about 6.1e-5 for n = 1024; exp itself adds a few
 * ulp. {@code log s} therefore carries at most ~1e-4 absolute error, which is the logsumexp and log-prob
 * tolerance ({@code max} itself is exact). Entropy is {@code log s - t/s} with {@code t} a same-sign float sum
 * bounded the same way relative to {@code |t/s| <= H}, so its error is at most {@code 1e-4 (1 + 2 H)}.
 * Self-certainty adds {@code mean(z)}, a float sum of mixed-sign terms whose error is bounded by
 * {@code n u mean|z|}: tolerance {@code 1e-4 (1 + mean|z|)}. Argmax is exact (first index of the maximum).
 */
abstract class SignalKernelContract {
    static final int MAX_FLOAT_TERMS = 1024;
    static final double LOG_TOLERANCE = 1e-4;

    /** The backend under test; called once per case. */
    abstract SignalKernel kernel();

    static List<LogitCase> cases() {
        return LogitCase.all();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matchesTheTwoPassDoubleReference(LogitCase c) {
        SignalBatch out = new SignalBatch(LogitCase.ROWS + 1);
        out.clear();
        try (SignalKernel kernel = kernel()) {
            kernel.compute(c.logits(), c.temperature(), c.chosen(), out);
        }
        for (int r = 0; r < LogitCase.ROWS; r++) {
            TwoPassReference ref = TwoPassReference.of(c.rows()[r], c.temperature(), c.chosen()[r]);
            String row = c + " row " + r;
            assertThat(out.argmax[r]).as(row + " argmax").isEqualTo(ref.argmax());
            assertThat(out.logsumexp[r]).as(row + " logsumexp").isCloseTo(ref.logsumexp(), within(LOG_TOLERANCE));
            assertThat(out.chosenLogprob[r]).as(row + " chosen log-prob")
                    .isCloseTo(ref.chosenLogprob(), within(LOG_TOLERANCE));
            assertThat(out.entropy[r]).as(row + " entropy")
                    .isCloseTo(ref.entropy(), within(LOG_TOLERANCE * (1 + 2 * ref.entropy())));
            if (Double.isInfinite(ref.selfCertainty())) {
                assertThat(out.selfCertainty[r]).as(row + " self-certainty").isEqualTo(ref.selfCertainty());
            } else {
                assertThat(out.selfCertainty[r]).as(row + " self-certainty")
                        .isCloseTo(ref.selfCertainty(), within(LOG_TOLERANCE * (1 + ref.meanAbsZ())));
            }
        }
        assertThat(out.argmax[LogitCase.ROWS]).as("row past the block left untouched").isEqualTo(-1);
    }
}
