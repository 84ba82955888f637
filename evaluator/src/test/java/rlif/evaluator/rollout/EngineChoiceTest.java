package rlif.evaluator.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtProvider;
import java.util.List;
import org.junit.jupiter.api.Test;
import rlif.models.BadInputException;

/** {@code --engine}: names, what auto means per device, and the refusals the graph engine shares with the step engine. */
class EngineChoiceTest {
    @Test
    void namesParseAndAutoMeansTheGraphOnCuda() {
        assertThat(EngineKind.parse("GRAPH")).isEqualTo(EngineKind.GRAPH);
        assertThat(EngineKind.parse("step")).isEqualTo(EngineKind.STEP);
        assertThat(EngineKind.AUTO.resolve(Device.CUDA)).isEqualTo(EngineKind.GRAPH);
        assertThat(EngineKind.STEP.resolve(Device.CUDA)).isEqualTo(EngineKind.STEP);
        assertThat(EngineKind.AUTO.resolve(Device.CPU)).isIn(EngineKind.STEP, EngineKind.GRAPH);
        assertThatThrownBy(() -> EngineKind.parse("loop")).isInstanceOf(BadInputException.class)
                .hasMessageContaining("--engine must be auto, step or graph");
    }

    @Test
    void rolloutEnginesOpensWhatWasAskedFor() {
        try (RolloutEngine e = RolloutEngines.open(Fixtures.gpt2(), EngineKind.GRAPH, EngineOptions.defaults(), "auto")) {
            assertThat(e).isInstanceOf(GraphRolloutEngine.class);
        }
        try (RolloutEngine e = RolloutEngines.open(Fixtures.gpt2(), EngineKind.STEP, EngineOptions.defaults(), "scalar")) {
            assertThat(e).isInstanceOf(OnnxRolloutEngine.class);
        }
    }

    @Test
    void cudaWithoutTheCudaProviderIsAClearErrorForTheGraphEngineToo() {
        assumeFalse(OrtEnvironment.getAvailableProviders().contains(OrtProvider.CUDA),
                "this ONNX Runtime has the CUDA provider, so --device cuda is not an error here");
        assertThatThrownBy(() -> new GraphRolloutEngine(Fixtures.gpt2(), EngineOptions.defaults().withDevice(Device.CUDA)))
                .isInstanceOf(BadInputException.class)
                .hasMessageContaining("--device cuda")
                .hasMessageContaining("no CUDA execution provider")
                .hasMessageContaining("RLIF_CUDA=1");
    }

    @Test
    void promptsPastTheContextOrVocabularyAreRefusedBeforeAnyRun() {
        try (GraphRolloutEngine engine = new GraphRolloutEngine(Fixtures.gpt2(), EngineOptions.defaults())) {
            assertThatThrownBy(() -> engine.generate(List.of(new RolloutRequest(new int[] {5, 1000}, 1)),
                    SamplingParams.greedy(4))).isInstanceOf(BadInputException.class).hasMessageContaining("prompt 0");
            assertThatThrownBy(() -> engine.generate(List.of(new RolloutRequest(new int[] {5}, 1)),
                    SamplingParams.greedy(100_000))).isInstanceOf(BadInputException.class).hasMessageContaining("context length");
            assertThat(engine.stats().prefillRuns()).isZero();
        }
    }
}
