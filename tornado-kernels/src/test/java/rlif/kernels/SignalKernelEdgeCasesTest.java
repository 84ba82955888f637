package rlif.kernels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Closed-form rows and bad calls, for every CPU backend. */
class SignalKernelEdgeCasesTest {
    static List<SignalKernel> kernels() {
        return List.of(new ScalarSignalKernel(), new VectorSignalKernel(1), new VectorSignalKernel(2),
                TornadoSignalKernel.onCpu());
    }

    @ParameterizedTest
    @MethodSource("kernels")
    void allEqualRowIsUniform(SignalKernel kernel) {
        int vocab = 151936;
        float[] row = new float[vocab];
        Arrays.fill(row, 12.5f);
        SignalBatch out = new SignalBatch(1);
        kernel.compute(LogitRows.of(row, 1, vocab), 0.7, new int[] {77}, out);
        // Closed form: p = 1/V, so H = log V, S = KL(U || U) = 0, log p = -log V, argmax the first column.
        assertThat(out.entropy[0]).isCloseTo(Math.log(vocab), within(1e-4));
        assertThat(out.selfCertainty[0]).isCloseTo(0, within(1e-4));
        assertThat(out.chosenLogprob[0]).isCloseTo(-Math.log(vocab), within(1e-4));
        assertThat(out.argmax[0]).isZero();
        kernel.close();
    }

    @ParameterizedTest
    @MethodSource("kernels")
    void oneFiniteEntryIsCertain(SignalKernel kernel) {
        int vocab = 1000;
        float[] row = new float[vocab];
        Arrays.fill(row, Float.NEGATIVE_INFINITY);
        row[617] = -3f;
        SignalBatch out = new SignalBatch(1);
        kernel.compute(LogitRows.of(row, 1, vocab), 1, new int[] {617}, out);
        assertThat(out.logsumexp[0]).isCloseTo(-3, within(1e-6));
        assertThat(out.entropy[0]).isCloseTo(0, within(1e-6));
        assertThat(out.chosenLogprob[0]).isCloseTo(0, within(1e-6));
        assertThat(out.selfCertainty[0]).isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(out.argmax[0]).isEqualTo(617);
        kernel.close();
    }

    @ParameterizedTest
    @MethodSource("kernels")
    void noChosenTokenGivesNaNLogprob(SignalKernel kernel) {
        SignalBatch out = new SignalBatch(1);
        kernel.compute(LogitRows.of(new float[] {1, 2, 3}, 1, 3), 1, null, out);
        assertThat(out.chosenLogprob[0]).isNaN();
        assertThat(out.argmax[0]).isEqualTo(2);
        kernel.close();
    }

    @ParameterizedTest
    @MethodSource("kernels")
    void badCallsAreRejectedWithTheReason(SignalKernel kernel) {
        LogitRows two = LogitRows.of(new float[6], 2, 3);
        assertThatThrownBy(() -> kernel.compute(two, 0, null, new SignalBatch(2)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("temperature");
        assertThatThrownBy(() -> kernel.compute(two, 1, null, new SignalBatch(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("holds 1 rows");
        assertThatThrownBy(() -> kernel.compute(two, 1, new int[] {0, 3}, new SignalBatch(2)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("token id 3 of row 1");
        kernel.close();
    }
}
