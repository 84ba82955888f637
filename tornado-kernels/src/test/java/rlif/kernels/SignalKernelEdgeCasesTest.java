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
        return List.of(new ScalarSignalKernel(), new VectorSignalKernel(1), new VectorSignalKernel(2, 0),
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
    void argmaxIsTheFirstOfTiedMaxima(SignalKernel kernel) {
        // Ties in different lanes, chunks, spans and GPU slots: 9000 is past the first vector chunk, and
        // 300 and 556 share a slot modulo 256 while 9000 does not.
        float[] row = new float[20000];
        row[9000] = 5f;
        row[556] = 5f;
        row[300] = 5f;
        SignalBatch out = new SignalBatch(1);
        kernel.compute(LogitRows.of(row, 1, row.length), 1, null, out);
        assertThat(out.argmax[0]).isEqualTo(300);
        kernel.close();
    }

    @ParameterizedTest
    @MethodSource("kernels")
    void heapBufferSlicesReadTheSameRowsAsArrays(SignalKernel kernel) {
        // Heap buffers take the backing-array path; slices start at a non-zero array offset.
        int rows = 3;
        int vocab = 20011;
        java.util.Random random = new java.util.Random(7);
        float[] data = new float[rows * vocab];
        float[] padded = new float[data.length + 9];
        short[] halfPadded = new short[data.length + 9];
        for (int i = 0; i < data.length; i++) {
            data[i] = Float.float16ToFloat(Float.floatToFloat16((float) (random.nextGaussian() * 4)));
            padded[i + 9] = data[i];
            halfPadded[i + 9] = Float.floatToFloat16(data[i]);
        }
        int[] chosen = {5, 20010, 777};
        SignalBatch expected = new SignalBatch(rows);
        kernel.compute(LogitRows.of(data, rows, vocab), 1.3, chosen, expected);
        java.nio.FloatBuffer floats = java.nio.FloatBuffer.wrap(padded, 9, data.length).slice();
        java.nio.ShortBuffer halves = java.nio.ShortBuffer.wrap(halfPadded, 9, data.length).slice();
        for (LogitRows form : List.of(LogitRows.of(floats, rows, vocab), LogitRows.ofHalf(halves, rows, vocab))) {
            SignalBatch out = new SignalBatch(rows);
            kernel.compute(form, 1.3, chosen, out);
            // Same values in the same order through the same code: identical results.
            assertThat(out.logsumexp).as(form.getClass().getSimpleName()).containsExactly(expected.logsumexp);
            assertThat(out.entropy).containsExactly(expected.entropy);
            assertThat(out.selfCertainty).containsExactly(expected.selfCertainty);
            assertThat(out.chosenLogprob).containsExactly(expected.chosenLogprob);
            assertThat(out.argmax).containsExactly(expected.argmax);
        }
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
    void aNaNOrPlusInfinityLogitMakesLogsumexpNonFinite(SignalKernel kernel) {
        // The rollout engine ends a row with finish_reason non_finite on exactly this signal, so every backend
        // must raise it, wherever in the row (first chunk, a later chunk, the scalar tail) the bad value sits.
        int vocab = 10007;
        for (int at : new int[] {0, 5000, vocab - 1}) {
            for (float bad : new float[] {Float.NaN, Float.POSITIVE_INFINITY}) {
                float[] row = new float[vocab];
                java.util.Random random = new java.util.Random(at);
                for (int i = 0; i < vocab; i++) {
                    row[i] = (float) random.nextGaussian();
                }
                row[at] = bad;
                SignalBatch out = new SignalBatch(1);
                kernel.compute(LogitRows.of(row, 1, vocab), 1, null, out);
                assertThat(Double.isFinite(out.logsumexp[0])).as("%s at %d", bad, at).isFalse();
            }
        }
        kernel.close();
    }

    @ParameterizedTest
    @MethodSource("kernels")
    void logitsNearTheFloatLimitKeepTheirSignals(SignalKernel kernel) {
        // At temperature 0.3, 1e38 / T overflows float: backends that scale in float32 must notice and not
        // report an overflow the logits do not have.
        float[] row = {3e38f, -3e38f, 2.9e38f, 1f, 3e38f};
        SignalBatch out = new SignalBatch(1);
        kernel.compute(LogitRows.of(row, 1, row.length), 0.3, new int[] {2}, out);
        double lse = 3e38 / 0.3 + Math.log(2);
        assertThat(out.logsumexp[0]).isCloseTo(lse, within(lse * 1e-6));
        assertThat(out.entropy[0]).isCloseTo(Math.log(2), within(1e-4));
        assertThat(out.argmax[0]).isZero();
        kernel.close();
    }

    @ParameterizedTest
    @MethodSource("kernels")
    void allNegativeRowsFindTheirMaximumInALaterChunk(SignalKernel kernel) {
        // GPT-2-like logits are all negative; the vector backend's integer max of bit patterns is wrong for them
        // and must fall back to float compares. The maximum sits in the fourth 4096-column chunk.
        int vocab = 20000;
        float[] row = new float[vocab];
        java.util.Random random = new java.util.Random(11);
        for (int i = 0; i < vocab; i++) {
            row[i] = -1f - 49f * random.nextFloat();
        }
        row[13000] = -0.5f;
        row[17000] = -0.5f;
        SignalBatch out = new SignalBatch(1);
        kernel.compute(LogitRows.of(row, 1, vocab), 0.7, new int[] {4}, out);
        TwoPassReference ref = TwoPassReference.of(row, 0.7, 4);
        assertThat(out.argmax[0]).isEqualTo(13000);
        assertThat(out.logsumexp[0]).isCloseTo(ref.logsumexp(), within(1e-4));
        assertThat(out.entropy[0]).isCloseTo(ref.entropy(), within(1e-4 * (1 + 2 * ref.entropy())));
        assertThat(out.chosenLogprob[0]).isCloseTo(ref.chosenLogprob(), within(1e-4));
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
