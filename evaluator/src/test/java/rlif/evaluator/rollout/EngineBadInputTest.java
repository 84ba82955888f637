package rlif.evaluator.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtProvider;
import java.util.List;
import org.junit.jupiter.api.Test;
import rlif.kernels.SignalKernels;
import rlif.models.BadInputException;
import rlif.models.dir.ModelDirectory;
import rlif.models.tokenizer.ModelTokenizer;

/** Requests the engine must refuse with a clear message before any decoder run. */
class EngineBadInputTest {

    @Test
    void textIdsTheGpt2FixtureCannotEmbedAreRefusedNamingTheIdAndVocab() {
        ModelDirectory model = Fixtures.gpt2();
        int[] ids;
        try (ModelTokenizer tok = model.openTokenizer()) {
            ids = tok.encode("Janet's ducks lay 16 eggs per day.", false);
        }
        try (OnnxRolloutEngine engine = new OnnxRolloutEngine(model)) {
            assertThatThrownBy(() -> engine.generate(
                    List.of(new RolloutRequest(new int[] {1, 2}, 0), new RolloutRequest(ids, 0)), SamplingParams.greedy(4)))
                    .isInstanceOf(BadInputException.class)
                    .hasMessageContaining("prompt 1")
                    .hasMessageContaining("vocabulary of 1000 ids");
            assertThat(engine.stats().prefillRuns()).isZero();
        }
    }

    @Test
    void promptsThatOverrunTheContextAreRefused() {
        try (OnnxRolloutEngine engine = new OnnxRolloutEngine(Fixtures.gpt2())) {
            assertThatThrownBy(() -> engine.generate(List.of(new RolloutRequest(new int[500], 0)), SamplingParams.greedy(20)))
                    .isInstanceOf(BadInputException.class)
                    .hasMessageContaining("context length of 512");
        }
    }

    @Test
    void cudaWithoutTheCudaProviderIsAClearError() {
        // The default build ships the CPU-only ONNX Runtime; with -Pcuda on a GPU host this test's premise is gone.
        assumeFalse(OrtEnvironment.getAvailableProviders().contains(OrtProvider.CUDA),
                "this ONNX Runtime has the CUDA provider, so --device cuda is not an error here");
        assertThatThrownBy(() -> new OnnxRolloutEngine(Fixtures.gpt2(),
                EngineOptions.defaults().withDevice(Device.CUDA), SignalKernels.create("auto")))
                .isInstanceOf(BadInputException.class)
                .hasMessageContaining("--device cuda")
                .hasMessageContaining("no CUDA execution provider");
    }

    @Test
    void unknownDeviceNamesAreBadInput() {
        assertThat(Device.parse("CUDA")).isEqualTo(Device.CUDA);
        assertThatThrownBy(() -> Device.parse("tpu")).isInstanceOf(BadInputException.class)
                .hasMessageContaining("--device must be cpu or cuda");
    }
}
