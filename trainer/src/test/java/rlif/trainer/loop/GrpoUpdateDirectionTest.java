package rlif.trainer.loop;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import rlif.evaluator.rollout.Rollout;
import rlif.evaluator.rollout.RolloutRequest;
import rlif.evaluator.rollout.SamplingParams;
import rlif.models.arch.DecoderConfig;
import rlif.models.arch.DecoderOptions;
import rlif.models.arch.Decoders;
import rlif.models.arch.HfConfig;
import rlif.models.arch.ModelDirectoryWriter;
import rlif.models.arch.OnnxWeightSource;
import rlif.models.arch.WeightSource;
import rlif.models.tensor.DType;
import rlif.trainer.batch.MicroBatch;
import rlif.trainer.batch.MicroBatcher;
import rlif.trainer.batch.Sequence;
import rlif.trainer.config.TrainConfig;
import rlif.trainer.graph.Gradients;
import rlif.trainer.graph.TokenBatch;
import rlif.trainer.graph.TrainingGraph;
import rlif.trainer.graph.TrainingSession;
import rlif.trainer.grpo.GrpoSettings;
import rlif.trainer.grpo.LossType;
import rlif.models.tokenizer.CharTokenizerFiles;
import rlif.trainer.init.RandomLlama;
import rlif.trainer.optim.AdamW;
import rlif.trainer.optim.AdamWConfig;
import rlif.trainer.params.LoraSpec;

/**
 * The whole GRPO plumbing moves the policy the right way: completions sampled by the engine, teacher-forced
 * by the training graph with the engine's own log-probs as old log-probs, one AdamW step, and the engine
 * synced. Afterwards completions with positive advantage are more likely and those with negative
 * advantage less likely, and the engine's log-probs equal the training graph's (same policy, same tokens).
 */
class GrpoUpdateDirectionTest {
    @TempDir
    Path dir;

    @Test
    void oneUpdateRaisesPositiveAdvantageCompletionsAndLowersNegativeOnes() throws Exception {
        RandomLlama.Spec spec = new RandomLlama.Spec(CharTokenizerFiles.vocabSize(), 16, 32, 1, 2, 1, 64, 10000, 0.5,
                CharTokenizerFiles.BOS_ID, List.of(CharTokenizerFiles.EOS_ID), CharTokenizerFiles.PAD_ID);
        DecoderConfig c = HfConfig.parse(RandomLlama.configJson(spec), "tiny");
        Path base = dir.resolve("base");
        ModelDirectoryWriter.of(c, Decoders.build(c, WeightSource.of(RandomLlama.weights(spec, 4), "tiny"),
                DecoderOptions.inference(DType.F32))).file("tokenizer.json", CharTokenizerFiles.tokenizerJson().getBytes(StandardCharsets.UTF_8))
                .write(base);
        GrpoSettings gs = GrpoSettings.symmetric(0.2, 0, 0, LossType.DAPO);
        TrainConfig.Trainable lora = new TrainConfig.Trainable(false, new LoraSpec(4, 8, List.of("q_proj", "v_proj", "up_proj")));
        try (Policy p = new Policy(c, OnnxWeightSource.open(base), base, lora, 3, new TrainingGraph.Grpo(gs, 1.0),
                dir.resolve("work"), Compute.cpu(1))) {
            // give B non-zero values so the first update moves every adapter
            for (var t : p.trainables().params().values()) {
                if (t.name().endsWith("lora_B")) {
                    for (int i = 0; i < t.values().length; i++) {
                        t.values()[i] = 0.05f * ((i * 7) % 5 - 2);
                    }
                }
            }
            p.syncEngine();
            List<RolloutRequest> reqs = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                reqs.add(new RolloutRequest(new int[] {CharTokenizerFiles.BOS_ID, 10 + i, 20 + i}, 100 + i));
            }
            List<Rollout> rs = p.engine().generate(reqs, new SamplingParams(1.0, 0, 1, 6));
            double[] adv = {1, -1, 1, -1, 1, -1, 1, -1};
            List<Sequence> rows = new ArrayList<>();
            for (int i = 0; i < rs.size(); i++) {
                Rollout r = rs.get(i);
                rows.add(new Sequence(r.promptIds(), r.completionIds(), r.tokenLogprobs(), adv[i]));
            }
            MicroBatch mb = MicroBatcher.grpo(rows, rows.size(), LossType.DAPO, 6, false, 0).getFirst();
            TokenBatch b = mb.batch();
            Gradients grads = new Gradients(p.session().trainableShapes());
            TrainingSession.Pass before = p.session().backward(p.trainables().values(), b, grads);
            // the graph's log-probs of the sampled tokens equal the sampler's: float32, same weights
            for (int i = 0; i < b.weights().length; i++) {
                if (b.weights()[i] != 0) {
                    assertThat(before.tokenLogp()[i]).isCloseTo(b.oldLogp()[i], org.assertj.core.data.Offset.offset(1e-4));
                }
            }
            new AdamW(new AdamWConfig(1e-3, 0.9, 0.999, 1e-8, 0)).update(p.trainables().values(), grads.values(), 1e-3);
            p.syncEngine();
            TrainingSession.Pass after = p.session().forward(p.trainables().values(), b);
            double[] delta = new double[rs.size()];
            for (int i = 0; i < b.weights().length; i++) {
                if (b.weights()[i] != 0) {
                    // micro-batch row r is rollout mb.sequences()[r]
                    delta[mb.sequences()[i / b.length()]] += after.tokenLogp()[i] - before.tokenLogp()[i];
                }
            }
            for (int i = 0; i < delta.length; i++) {
                assertThat(Math.signum(delta[i])).as("completion " + i + " log-prob change " + delta[i]).isEqualTo(Math.signum(adv[i]));
            }
        }
    }
}
