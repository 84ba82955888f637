package rlif.trainer.graph;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import rlif.models.BadInputException;
import rlif.models.arch.DecoderConfig;
import rlif.models.arch.HfConfig;
import rlif.models.arch.WeightSource;
import rlif.models.quant.BlockQuantized;
import rlif.models.quant.RtnQuantizer;
import rlif.models.tensor.Tensor;
import rlif.trainer.grpo.GrpoSettings;
import rlif.trainer.grpo.LossType;
import rlif.trainer.init.RandomLlama;
import rlif.trainer.params.LoraSpec;
import rlif.trainer.params.TrainableHooks;
import rlif.trainer.params.Trainables;

/**
 * QLoRA: LoRA on a base whose linears are 4-bit blocks. The training graph keeps the base as blocks (codes and scales,
 * no float copy of those weights) and dequantizes them in the graph; autodiff's LoRA gradients through it match
 * central finite differences in float64 (tolerance 1e-6 on |error| / max(1, |numeric|), as
 * {@link WholeModelGradientsTest}). (That the in-graph dequantization holds exactly the blocks' values is
 * {@code QuantizedImportTest} in models.)
 */
class QloraGradientsTest {
    /** Hidden 32 and MLP 64, so every linear is whole 32-wide blocks; 2 query heads on 1 KV head. */
    static RandomLlama.Spec spec() {
        return new RandomLlama.Spec(WholeModelGradientsTest.V, 32, 64, 2, 2, 1, 32, 10000, 0.2, null, List.of(), null);
    }

    /** The float weights with every linear replaced by its 4-bit blocks (and {@code get} by their dequantized values). */
    static WeightSource quantizedBase(Map<String, Tensor> floats) {
        Map<String, BlockQuantized> blocks = new LinkedHashMap<>();
        Map<String, Tensor> dequantized = new LinkedHashMap<>(floats);
        floats.forEach((name, t) -> {
            if (name.contains("_proj.weight") || name.equals("lm_head.weight")) {
                long[] s = t.shape();
                BlockQuantized q = RtnQuantizer.quantize(t.toFloats(), (int) s[0], (int) s[1], 4, 32);
                blocks.put(name, q);
                dequantized.put(name, Tensor.ofFloats(name, s, q.dequantize()));
            }
        });
        WeightSource plain = WeightSource.of(dequantized, "dequantized tiny llama");
        return new WeightSource() {
            @Override
            public Tensor get(String hfName) {
                return plain.get(hfName);
            }

            @Override
            public Set<String> names() {
                return plain.names();
            }

            @Override
            public Optional<BlockQuantized> quantized(String hfName) {
                return Optional.ofNullable(blocks.get(hfName));
            }
        };
    }

    @Test
    void loraGradientsOnAFourBitBaseMatchFiniteDifferences() throws Exception {
        RandomLlama.Spec s = spec();
        DecoderConfig c = HfConfig.parse(RandomLlama.configJson(s), "tiny llama");
        Map<String, Tensor> floats = RandomLlama.weights(s, 21);
        WeightSource base = quantizedBase(floats);
        LoraSpec lora = new LoraSpec(2, 4, List.of("q_proj", "v_proj", "gate_proj", "down_proj"));
        GrpoSettings gs = new GrpoSettings(0.2, 0.28, 0.05, 0.01, LossType.DAPO);
        Trainables tr = new Trainables();
        TrainingGraph tg = TrainingGraph.build(c, base, TrainableHooks.lora(lora, tr, 3), new TrainingGraph.Grpo(gs, 0.8));
        // The frozen base is its blocks: 4-bit codes and scales, never a float copy of a projection.
        Set<String> initializers = tg.graph().initializers().keySet();
        assertThat(initializers).contains("model.layers.0.self_attn.q_proj.weight.q4", "lm_head.weight.q4");
        assertThat(initializers).noneMatch(n -> n.contains("_proj.weight.T") || n.equals("lm_head.weight.T"));
        Random rnd = new Random(9);
        for (Trainables.Param p : tr.params().values()) {
            for (int i = 0; i < p.values().length; i++) {
                p.values()[i] = (float) (rnd.nextGaussian() * 0.3);
            }
        }
        double worst = WholeModelGradientsTest.check(tg, tr, true, 6);
        System.out.println("[gradcheck] llama QLoRA (4-bit base) GRPO: " + tr.elementCount()
                + " parameters, worst error " + worst);
        assertThat(worst).isLessThan(1e-6);
    }

    @Test
    void fullTrainingOfAQuantizedBaseIsRefusedByName() {
        RandomLlama.Spec s = spec();
        DecoderConfig c = HfConfig.parse(RandomLlama.configJson(s), "tiny llama");
        WeightSource base = quantizedBase(RandomLlama.weights(s, 21));
        assertThatThrownBy(() -> TrainingGraph.build(c, base, TrainableHooks.full(new Trainables()),
                new TrainingGraph.Sft()))
                .isInstanceOf(BadInputException.class)
                .hasMessageContaining("full training needs float weights")
                .hasMessageContaining("q_proj");
    }
}
