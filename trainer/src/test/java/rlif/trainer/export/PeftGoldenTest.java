package rlif.trainer.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import rlif.models.BadInputException;
import rlif.models.arch.DecoderConfig;
import rlif.models.arch.DecoderOptions;
import rlif.models.arch.Decoders;
import rlif.models.arch.HfConfig;
import rlif.models.arch.LayerHooks;
import rlif.models.arch.WeightSource;
import rlif.models.graph.GraphBuilder;
import rlif.models.importer.SafetensorsCheckpoint;
import rlif.models.tensor.DType;
import rlif.trainer.params.MergedWeights;

/**
 * Adapters saved by PEFT 0.21 ({@code tools/interop_check.py goldens}) merged by rlif give the logits PEFT's own
 * (unmerged) forward gave: LoRA on GPT-2's Conv1D layers incl. the square {@code attn.c_proj}, DoRA on Conv1D and
 * on Linear, rsLoRA, and rank/alpha patterns. Tolerance 1e-4 on logits of magnitude ~10 (float32 both sides;
 * PEFT's own merged-vs-unmerged difference is up to 1.3e-5). The bases are the transformers goldens of the models
 * module.
 */
class PeftGoldenTest {
    static final Path ADAPTERS = Path.of("src/test/resources/interop");
    static final Path MODELS = Path.of("../models/src/test/resources/interop");
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    @ParameterizedTest
    @ValueSource(strings = {"gpt2_lora", "gpt2_dora", "llama_rslora", "qwen2_patterns", "mistral_dora"})
    void mergedAdapterGivesPeftLogits(String name) throws Exception {
        Path adapter = ADAPTERS.resolve(name);
        JsonNode expected = JSON.readTree(adapter.resolve("expected.json").toFile());
        Path baseDir = MODELS.resolve(expected.get("base").asText());
        try (SafetensorsCheckpoint base = SafetensorsCheckpoint.open(baseDir)) {
            DecoderConfig config = HfConfig.parse(base.config().toString(), baseDir + "/config.json");
            PeftAdapter.Loaded loaded = PeftAdapter.read(adapter);
            WeightSource merged = MergedWeights.lora(config, base.weights(), loaded.deltas());
            double diff = maxDiff(Decoders.build(config, merged, new DecoderOptions(DType.F32, false, LayerHooks.DEFAULT)), expected);
            double moved = maxDiff(Decoders.build(config, base.weights(), new DecoderOptions(DType.F32, false, LayerHooks.DEFAULT)),
                    expected);
            System.out.printf("%s: %d modules, max |logit - PEFT| %.2e (the adapter moves logits by %.2f)%n", name,
                    loaded.deltas().size(), diff, moved);
            assertThat(moved).as("the adapter must matter").isGreaterThan(1);
            assertThat(diff).isLessThan(1e-4);
        }
    }

    @Test
    void adapterOptionsRlifDoesNotMergeAreRefusedByName() throws Exception {
        refuses("modules_to_save", JSON.readTree("[\"lm_head\"]"), "'modules_to_save'");
        refuses("bias", JSON.readTree("\"all\""), "'bias'");
        refuses("init_lora_weights", JSON.readTree("\"pissa\""), "'init_lora_weights'");
        refuses("lora_bias", JSON.readTree("true"), "'lora_bias'");
        refuses("use_fancy_new_thing", JSON.readTree("true"), "'use_fancy_new_thing' is not an adapter option");
        refuses("peft_type", JSON.readTree("\"IA3\""), "only LORA");
    }

    @Test
    void aRankThatDisagreesWithTheTensorsIsRefused() throws Exception {
        refuses("rank_pattern", JSON.readTree("{\"v_proj\": 3}"), "rank 3");
    }

    private void refuses(String key, JsonNode value, String message) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve(key));
        ObjectNode cfg = (ObjectNode) JSON.readTree(ADAPTERS.resolve("qwen2_patterns/adapter_config.json").toFile());
        cfg.set(key, value);
        Files.writeString(dir.resolve(PeftAdapter.CONFIG), cfg.toString());
        Files.copy(ADAPTERS.resolve("qwen2_patterns").resolve(PeftAdapter.WEIGHTS), dir.resolve(PeftAdapter.WEIGHTS));
        assertThatThrownBy(() -> PeftAdapter.read(dir)).isInstanceOf(BadInputException.class).hasMessageContaining(message);
    }

    /** Largest |logit - expected| over {@code expected.ids} run unpadded through {@code g}. */
    static double maxDiff(GraphBuilder g, JsonNode expected) throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        int n = expected.get("ids").size();
        long[] ids = new long[n];
        long[] mask = new long[n];
        long[] pos = new long[n];
        for (int t = 0; t < n; t++) {
            ids[t] = expected.get("ids").get(t).asLong();
            mask[t] = 1;
            pos[t] = t;
        }
        long[] shape = {1, n};
        try (OrtSession s = env.createSession(g.toModel().toByteArray());
                OnnxTensor i = OnnxTensor.createTensor(env, LongBuffer.wrap(ids), shape);
                OnnxTensor m = OnnxTensor.createTensor(env, LongBuffer.wrap(mask), shape);
                OnnxTensor p = OnnxTensor.createTensor(env, LongBuffer.wrap(pos), shape);
                OrtSession.Result r = s.run(Map.of("input_ids", i, "attention_mask", m, "position_ids", p))) {
            FloatBuffer fb = ((OnnxTensor) r.get("logits").orElseThrow()).getFloatBuffer();
            int vocab = fb.remaining() / n;
            double max = 0;
            for (int t = 0; t < n; t++) {
                for (int v = 0; v < vocab; v++) {
                    max = Math.max(max, Math.abs(fb.get(t * vocab + v) - expected.get("logits").get(t).get(v).asDouble()));
                }
            }
            return max;
        }
    }
}
