package rlif.trainer.export;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import rlif.models.arch.DecoderConfig;
import rlif.models.arch.DecoderOptions;
import rlif.models.arch.Decoders;
import rlif.models.arch.HfConfig;
import rlif.models.arch.LayerHooks;
import rlif.models.arch.WeightSource;
import rlif.models.graph.GraphBuilder;
import rlif.models.tensor.DType;
import rlif.trainer.init.RandomLlama;
import rlif.trainer.params.LoraSpec;
import rlif.trainer.params.MergedWeights;
import rlif.trainer.params.TrainableHooks;
import rlif.trainer.params.Trainables;

/**
 * The merged model (W + (alpha/r) B A, as checkpoints and {@code rlif export} write it) computes the same
 * logits as the LoRA forward with A and B as inputs, and the PEFT files round-trip.
 */
class LoraMergeTest {
    @TempDir
    Path dir;

    static final RandomLlama.Spec SPEC = new RandomLlama.Spec(13, 16, 24, 2, 4, 2, 32, 10000, 0.3, null, List.of(), null);

    @Test
    void mergedLogitsEqualLoraForwardAndPeftFilesRoundTrip() throws Exception {
        DecoderConfig c = HfConfig.parse(RandomLlama.configJson(SPEC), "tiny");
        WeightSource base = WeightSource.of(RandomLlama.weights(SPEC, 3), "tiny");
        Trainables tr = new Trainables();
        LoraSpec spec = new LoraSpec(4, 8, List.of("q_proj", "v_proj", "gate_proj", "down_proj"));
        TrainableHooks hooks = TrainableHooks.lora(spec, tr, 1);
        GraphBuilder lora = Decoders.build(c, base, new DecoderOptions(DType.F32, false, hooks));
        Random rnd = new Random(2);
        for (Trainables.Param p : tr.params().values()) {
            for (int i = 0; i < p.values().length; i++) {
                p.values()[i] = (float) (rnd.nextGaussian() * 0.2);
            }
        }
        assertThat(hooks.adaptedModules()).hasSize(8);
        WeightSource merged = MergedWeights.lora(c, base, tr, spec, hooks.adaptedModules());
        GraphBuilder plain = Decoders.build(c, merged, new DecoderOptions(DType.F32, false, LayerHooks.DEFAULT));

        float[] withAdapters = logits(lora, tr);
        float[] fromMerged = logits(plain, new Trainables());
        float[] fromBase = logits(Decoders.build(c, base, new DecoderOptions(DType.F32, false, LayerHooks.DEFAULT)), new Trainables());
        double maxDiff = 0;
        double moved = 0;
        for (int i = 0; i < withAdapters.length; i++) {
            maxDiff = Math.max(maxDiff, Math.abs(withAdapters[i] - fromMerged[i]));
            moved = Math.max(moved, Math.abs(withAdapters[i] - fromBase[i]));
        }
        System.out.println("[lora] merged vs LoRA forward max |logit diff| " + maxDiff + " (adapters move logits by up to " + moved + ")");
        // float32 with logits of order 1: merging reorders the sums, which costs a few ulps per layer
        assertThat(maxDiff).isLessThan(1e-4);
        assertThat(moved).as("the adapters must matter for the check to mean anything").isGreaterThan(1e-2);

        for (Map.Entry<String, byte[]> f : PeftAdapter.files(tr, spec, hooks.adaptedModules(), "tiny").entrySet()) {
            Files.write(dir.resolve(f.getKey()), f.getValue());
        }
        PeftAdapter.Loaded back = PeftAdapter.read(dir);
        assertThat(back.modules()).isEqualTo(hooks.adaptedModules());
        for (var d : back.deltas()) {
            assertThat(back.config().scaleOf(d.module())).isEqualTo(spec.scale());
            assertThat(d.a()).containsExactly(tr.get(LoraSpec.aName(d.module())).values());
            assertThat(d.b()).containsExactly(tr.get(LoraSpec.bName(d.module())).values());
        }
        String written = Files.readString(dir.resolve(PeftAdapter.CONFIG));
        assertThat(written).as("full module names, so PEFT adapts exactly the trained modules")
                .contains("\"model.layers.0.self_attn.q_proj\"").doesNotContain("\"q_proj\"");
    }

    /**
     * GPT-2's Conv1D weights are {@code [in, out]}: a run training LoRA on c_attn, c_proj and c_fc (square
     * attn.c_proj included) checkpoints a merged model equal to its LoRA forward, and writes PEFT's layout.
     */
    @Test
    void gpt2Conv1dAdaptersMergeInTheirOwnLayout() throws Exception {
        Path golden = Path.of("../models/src/test/resources/interop/gpt2");
        try (var ckpt = rlif.models.importer.SafetensorsCheckpoint.open(golden)) {
            DecoderConfig c = HfConfig.parse(ckpt.config().toString(), "gpt2");
            Map<String, rlif.models.tensor.Tensor> f32 = new java.util.LinkedHashMap<>();
            for (String n : ckpt.weights().names()) {
                f32.put(n, rlif.models.tensor.Tensors.convert(ckpt.weights().get(n), DType.F32));
            }
            WeightSource base = WeightSource.of(f32, "gpt2");
            Trainables tr = new Trainables();
            LoraSpec spec = new LoraSpec(2, 4, List.of("c_attn", "c_proj", "c_fc"));
            TrainableHooks hooks = TrainableHooks.lora(spec, tr, 1);
            GraphBuilder lora = Decoders.build(c, base, new DecoderOptions(DType.F32, false, hooks));
            Random rnd = new Random(4);
            for (Trainables.Param p : tr.params().values()) {
                for (int i = 0; i < p.values().length; i++) {
                    p.values()[i] = (float) (rnd.nextGaussian() * 0.2);
                }
            }
            assertThat(hooks.adaptedModules()).contains("transformer.h.0.attn.c_proj", "transformer.h.1.mlp.c_fc");
            WeightSource merged = MergedWeights.lora(c, base, tr, spec, hooks.adaptedModules());
            float[] withAdapters = logits(lora, tr);
            float[] fromMerged = logits(Decoders.build(c, merged, new DecoderOptions(DType.F32, false, LayerHooks.DEFAULT)), new Trainables());
            double maxDiff = 0;
            for (int i = 0; i < withAdapters.length; i++) {
                maxDiff = Math.max(maxDiff, Math.abs(withAdapters[i] - fromMerged[i]));
            }
            System.out.println("[lora] gpt2 merged vs LoRA forward max |logit diff| " + maxDiff);
            assertThat(maxDiff).isLessThan(1e-4);
            for (Map.Entry<String, byte[]> f : PeftAdapter.files(tr, spec, hooks.adaptedModules(), "gpt2").entrySet()) {
                Files.write(dir.resolve(f.getKey()), f.getValue());
            }
            WeightSource reread = MergedWeights.lora(c, base, PeftAdapter.read(dir).deltas());
            assertThat(reread.get("transformer.h.0.attn.c_proj.weight").toFloats())
                    .containsExactly(merged.get("transformer.h.0.attn.c_proj.weight").toFloats());
        }
    }

    private static float[] logits(GraphBuilder g, Trainables tr) throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        long[] ids = {3, 1, 7, 12, 0, 5, 9, 2, 2, 11};
        long[] shape = {2, 5};
        long[] mask = new long[10];
        long[] pos = new long[10];
        for (int i = 0; i < 10; i++) {
            mask[i] = 1;
            pos[i] = i % 5;
        }
        try (OrtSession s = env.createSession(g.toModel().toByteArray())) {
            Map<String, OnnxTensor> in = new HashMap<>();
            try {
                in.put("input_ids", OnnxTensor.createTensor(env, LongBuffer.wrap(ids), shape));
                in.put("attention_mask", OnnxTensor.createTensor(env, LongBuffer.wrap(mask), shape));
                in.put("position_ids", OnnxTensor.createTensor(env, LongBuffer.wrap(pos), shape));
                for (Trainables.Param p : tr.params().values()) {
                    in.put(p.name(), OnnxTensor.createTensor(env, FloatBuffer.wrap(p.values()), p.shape()));
                }
                try (OrtSession.Result r = s.run(in, java.util.Set.of("logits"))) {
                    FloatBuffer fb = ((OnnxTensor) r.get("logits").orElseThrow()).getFloatBuffer();
                    float[] out = new float[fb.remaining()];
                    fb.get(out);
                    return out;
                }
            } finally {
                in.values().forEach(OnnxTensor::close);
            }
        }
    }
}
