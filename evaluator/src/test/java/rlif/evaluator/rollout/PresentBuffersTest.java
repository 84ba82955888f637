package rlif.evaluator.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnxruntime.OnnxJavaType;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import rlif.kernels.SignalKernels;
import rlif.models.dir.ModelConfig;
import rlif.models.dir.ModelDirectory;

/**
 * Decode steps that write their present key/values into the engine's own buffers ({@link PresentBuffers}) generate
 * exactly what steps whose presents ONNX Runtime allocates generate: the same computation into other memory, so the
 * tokens and every signal are compared for equality, not within a tolerance. Both cache layouts (GPT-2's stacked
 * {@code [2, batch, heads, seq, head]}, llama's separate key and value), sampled and greedy, with rows dropped
 * mid-run, and one engine switching between bound and allocated presents as calls outgrow the budget.
 */
class PresentBuffersTest {
    private static final List<int[]> PROMPTS = List.of(
            new int[] {5, 17, 300, 42}, new int[] {998, 1, 2, 3, 4, 5, 6}, new int[] {77});

    private static List<RolloutRequest> requests(int rows) {
        List<RolloutRequest> out = new ArrayList<>();
        for (int i = 0; i < rows; i++) {
            out.add(new RolloutRequest(PROMPTS.get(i), 60 + i));
        }
        return out;
    }

    private static List<Rollout> generate(ModelDirectory model, EngineOptions options, List<RolloutRequest> batch,
            SamplingParams params) {
        try (OnnxRolloutEngine engine = new OnnxRolloutEngine(model, options, SignalKernels.create("scalar"))) {
            return engine.generate(batch, params);
        }
    }

    private static void assertSame(List<Rollout> actual, List<Rollout> expected) {
        assertThat(actual).hasSameSizeAs(expected);
        for (int i = 0; i < expected.size(); i++) {
            Rollout x = actual.get(i);
            Rollout y = expected.get(i);
            assertThat(x.completionIds()).containsExactly(y.completionIds());
            assertThat(x.finishReason()).isEqualTo(y.finishReason());
            assertThat(x.tokenLogprobs()).containsExactly(y.tokenLogprobs());
            assertThat(x.tokenEntropies()).containsExactly(y.tokenEntropies());
            assertThat(x.tokenSelfCertainties()).containsExactly(y.tokenSelfCertainties());
        }
    }

    @Test
    void smallCachesDecodeIntoBoundBuffersByDefaultLargeOnesAndZeroBudgetsDoNot() {
        for (ModelDirectory model : List.of(Fixtures.gpt2(), Fixtures.llama())) {
            ModelConfig c = model.config();
            int tensors = model.io().presentOutputs().size();
            OnnxJavaType type = OnnxRolloutEngine.javaType(c.kvType());
            long budget = EngineOptions.defaults().presentBufferBudget();
            assertThat(PresentBuffers.forRun(new DirectBuffers(), tensors, model.io().cacheLayout(), 1, c.kvHeads(),
                    c.headSize(), 32 + 128, type, c.kvType().bytes(), budget)).isNotNull();
            assertThat(PresentBuffers.forRun(new DirectBuffers(), tensors, model.io().cacheLayout(), 1, c.kvHeads(),
                    c.headSize(), 2, type, c.kvType().bytes(), 0)).isNull();
        }
        // GPT-2 at batch 16 over 160 positions (6.5 MB of sets) is left to ONNX Runtime by default.
        ModelDirectory gpt2 = Fixtures.gpt2();
        ModelConfig c = gpt2.config();
        assertThat(PresentBuffers.forRun(new DirectBuffers(), gpt2.io().presentOutputs().size(), gpt2.io().cacheLayout(),
                16, c.kvHeads(), c.headSize(), 32 + 128, OnnxRolloutEngine.javaType(c.kvType()), c.kvType().bytes(),
                EngineOptions.defaults().presentBufferBudget())).isNull();
    }

    @Test
    void boundPresentsGiveExactlyTheRolloutsOfAllocatedOnes() {
        for (ModelDirectory model : List.of(Fixtures.gpt2(), Fixtures.llama())) {
            for (SamplingParams params : List.of(SamplingParams.greedy(20), new SamplingParams(0.9, 0, 1, 20))) {
                List<Rollout> allocated = generate(model, EngineOptions.defaults().withPresentBufferBudget(0),
                        requests(3), params);
                List<Rollout> bound = generate(model, EngineOptions.defaults().withPresentBufferBudget(32L << 20),
                        requests(3), params);
                assertSame(bound, allocated);
            }
        }
    }

    @Test
    void rowsDroppedMidRunKeepBoundPresentsExact(@TempDir Path tmp) throws IOException {
        SamplingParams greedy = SamplingParams.greedy(16);
        List<Rollout> free = generate(Fixtures.gpt2(), EngineOptions.defaults(), requests(3), greedy);
        // End rows 0 and 2 early (at their 3rd and 7th greedy token) so that the batch shrinks twice.
        ModelDirectory model = Fixtures.gpt2WithEos(tmp, free.get(0).completionIds()[2], free.get(2).completionIds()[6]);
        EngineOptions compacting = EngineOptions.defaults().withCompactAtFinishedShare(0)
                .withPresentBufferBudget(32L << 20);
        List<Rollout> allocated;
        try (OnnxRolloutEngine engine = new OnnxRolloutEngine(model, compacting.withPresentBufferBudget(0),
                SignalKernels.create("scalar"))) {
            allocated = engine.generate(requests(3), greedy);
            assertThat(engine.stats().compactions()).isPositive();
        }
        assertThat(allocated.get(0).finishReason()).isEqualTo(FinishReason.EOS);
        assertSame(generate(model, compacting, requests(3), greedy), allocated);
    }

    @Test
    void oneEngineSwitchesBetweenBoundAndAllocatedPresentsAsCallsOutgrowTheBudget() {
        ModelDirectory model = Fixtures.gpt2();
        ModelConfig c = model.config();
        // Both sets for one row of prompt 4 + 10 new tokens fit; three rows of 7 + 20 do not.
        long perRowPosition = 2L * model.io().presentOutputs().size() * 2 * c.kvHeads() * c.headSize() * c.kvType().bytes();
        long budget = perRowPosition * (4 + 10);
        assertThat(budget).isLessThan(perRowPosition * 3 * (7 + 20));
        SamplingParams shortRun = SamplingParams.greedy(10);
        SamplingParams longRun = new SamplingParams(0.9, 0, 1, 20);
        EngineOptions allocatedOnly = EngineOptions.defaults().withPresentBufferBudget(0);
        try (OnnxRolloutEngine engine = new OnnxRolloutEngine(model,
                EngineOptions.defaults().withPresentBufferBudget(budget), SignalKernels.create("scalar"))) {
            assertSame(engine.generate(requests(1), shortRun), generate(model, allocatedOnly, requests(1), shortRun));
            assertSame(engine.generate(requests(3), longRun), generate(model, allocatedOnly, requests(3), longRun));
            assertSame(engine.generate(requests(1), shortRun), generate(model, allocatedOnly, requests(1), shortRun));
        }
    }
}
