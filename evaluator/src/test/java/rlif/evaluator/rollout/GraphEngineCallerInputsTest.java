package rlif.evaluator.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import rlif.models.arch.DecoderConfig;
import rlif.models.arch.DecoderOptions;
import rlif.models.arch.Decoders;
import rlif.models.arch.HfConfig;
import rlif.models.arch.LayerHooks;
import rlif.models.arch.ModelDirectoryWriter;
import rlif.models.arch.OnnxWeightSource;
import rlif.models.dir.ModelDirectory;
import rlif.models.graph.GraphBuilder;
import rlif.models.graph.Shape;
import rlif.models.graph.Value;
import rlif.models.tensor.DType;
import rlif.models.tensor.Tensor;

/**
 * Decoder inputs the caller feeds on every run (how the trainer samples from its current weights without exporting
 * them) reach the decoder inside the generation loop: with the final norm's gain as an input, both engines fed the
 * same changed gain give the same greedy rollouts, and not the rollouts of the unchanged model.
 */
class GraphEngineCallerInputsTest {
    private static final String GAIN = "model.norm.weight";

    @TempDir
    Path tmp;

    @Test
    void callerFedWeightsReachTheDecoderInsideTheLoop() throws Exception {
        Path arith = Path.of("../models/arith-base");
        DecoderConfig config = HfConfig.read(arith.resolve("config.json"));
        float[][] gain = new float[1][];
        LayerHooks gainAsInput = new LayerHooks() {
            @Override
            public Value parameter(GraphBuilder g, String onnxName, String hfName, Tensor t) {
                if (!hfName.equals(GAIN)) {
                    return g.initializer(onnxName, t);
                }
                gain[0] = t.toFloats();
                return g.input(onnxName, t.dtype(), Shape.of(t.shape()));
            }
        };
        Path dir = tmp.resolve("policy");
        ModelDirectoryWriter.of(config, Decoders.build(config, OnnxWeightSource.open(arith),
                new DecoderOptions(DType.F32, true, gainAsInput))).tokenizerFrom(arith).write(dir);
        ModelDirectory policy = ModelDirectory.open(dir, Set.of(GAIN));
        ModelDirectory original = ModelDirectory.open(arith);

        float[] changed = gain[0].clone();
        for (int i = 0; i < changed.length; i++) {
            changed[i] *= (i % 2 == 0) ? 1.8f : 0.3f;
        }
        List<RolloutRequest> batch = GraphEngineEquivalenceTest.encode(original, "Q: 12+7-3=? A:", "Q: 5*3+2=? A:")
                .stream().map(p -> new RolloutRequest(p, 3)).toList();
        SamplingParams greedy = SamplingParams.greedy(30);
        try (OnnxRolloutEngine step = new OnnxRolloutEngine(policy);
                GraphRolloutEngine graph = new GraphRolloutEngine(policy, EngineOptions.defaults());
                GraphRolloutEngine plain = new GraphRolloutEngine(original, EngineOptions.defaults());
                OnnxTensor t = OnnxTensor.createTensor(OrtEnvironment.getEnvironment(), FloatBuffer.wrap(changed),
                        new long[] {changed.length})) {
            assertThat(graph.graphInputs()).contains(GAIN);
            step.setConstantInputs(Map.of(GAIN, t));
            graph.setConstantInputs(Map.of(GAIN, t));
            List<Rollout> s = step.generate(batch, greedy);
            List<Rollout> g = graph.generate(batch, greedy);
            List<Rollout> unchanged = plain.generate(batch, greedy);
            boolean anyDiffers = false;
            for (int i = 0; i < batch.size(); i++) {
                assertThat(g.get(i).completionIds()).containsExactly(s.get(i).completionIds());
                anyDiffers |= !java.util.Arrays.equals(g.get(i).completionIds(), unchanged.get(i).completionIds());
            }
            assertThat(anyDiffers).as("the changed gain changes what is generated").isTrue();
        }
    }
}
