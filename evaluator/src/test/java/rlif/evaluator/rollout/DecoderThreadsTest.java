package rlif.evaluator.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * A decoder under {@link OnnxRolloutEngine#ONE_THREAD_BELOW_BYTES} of weights gets one ONNX Runtime intra-op thread,
 * a larger one ONNX Runtime's default; a thread count the options give always wins.
 */
class DecoderThreadsTest {
    @Test
    void theTinyGpt2FixtureRunsOnOneThreadAndTheLlamaFixtureOnOrtsDefault() {
        assertThat(Fixtures.gpt2().config().totalBytes()).isLessThan(OnnxRolloutEngine.ONE_THREAD_BELOW_BYTES);
        assertThat(Fixtures.llama().config().totalBytes()).isGreaterThan(OnnxRolloutEngine.ONE_THREAD_BELOW_BYTES);
        try (OnnxRolloutEngine gpt2 = new OnnxRolloutEngine(Fixtures.gpt2());
                OnnxRolloutEngine llama = new OnnxRolloutEngine(Fixtures.llama())) {
            assertThat(gpt2.intraOpThreads()).isEqualTo(1);
            assertThat(llama.intraOpThreads()).isZero();
        }
    }

    @Test
    void threadsTheOptionsGiveWinOverTheSizeRule() {
        EngineOptions two = EngineOptions.defaults().withThreads(2);
        assertThat(OnnxRolloutEngine.intraOpThreads(Fixtures.gpt2().config(), two)).isEqualTo(2);
        assertThat(OnnxRolloutEngine.intraOpThreads(Fixtures.llama().config(), EngineOptions.defaults().withThreads(1)))
                .isEqualTo(1);
    }
}
