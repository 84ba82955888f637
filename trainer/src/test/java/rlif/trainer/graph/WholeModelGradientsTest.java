package rlif.trainer.graph;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.DoubleBuffer;
import java.nio.LongBuffer;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import rlif.models.arch.DecoderConfig;
import rlif.models.arch.HfConfig;
import rlif.models.arch.WeightSource;
import rlif.models.tensor.Tensor;
import rlif.trainer.grpo.GrpoSettings;
import rlif.trainer.grpo.LossType;
import rlif.trainer.params.LoraSpec;
import rlif.trainer.init.RandomLlama;
import rlif.trainer.params.TrainableHooks;
import rlif.trainer.params.Trainables;

/**
 * Whole training graphs (llama with grouped-query attention, rotary, RMSNorm, SwiGLU; GPT-2 with
 * LayerNorm, GELU, learned positions) differentiated by autodiff and checked element by element against
 * central finite differences of the loss, in float64 (the float32 graph promoted, see
 * {@link Float64Promotion}). Tolerance as in the operator tests: 1e-6 on |error| / max(1, |numeric|).
 */
class WholeModelGradientsTest {
    static final int B = 2;
    static final int T = 5;
    static final int V = 11;

    static RandomLlama.Spec tinyLlama() {
        // 2 query heads sharing 1 KV head: grouped-query attention is on the path
        return new RandomLlama.Spec(V, 8, 12, 2, 2, 1, 32, 10000, 0.4, null, List.of(), null);
    }

    @Test
    void fullLlamaSftGradientsMatchFiniteDifferences() throws OrtException {
        RandomLlama.Spec s = tinyLlama();
        DecoderConfig c = HfConfig.parse(RandomLlama.configJson(s), "tiny llama");
        Trainables tr = new Trainables();
        TrainingGraph tg = TrainingGraph.build(c, WeightSource.of(RandomLlama.weights(s, 1), "tiny"),
                TrainableHooks.full(tr), new TrainingGraph.Sft());
        double worst = check(tg, tr, false, 5);
        System.out.println("[gradcheck] llama full SFT: " + tr.elementCount() + " parameters, worst error " + worst);
        assertThat(worst).isLessThan(1e-6);
    }

    @Test
    void loraLlamaGrpoGradientsWithKlAndEntropyMatchFiniteDifferences() throws OrtException {
        RandomLlama.Spec s = tinyLlama();
        DecoderConfig c = HfConfig.parse(RandomLlama.configJson(s), "tiny llama");
        Trainables tr = new Trainables();
        TrainableHooks hooks = TrainableHooks.lora(new LoraSpec(2, 4, List.of("q_proj", "v_proj", "gate_proj", "down_proj")), tr, 3);
        GrpoSettings gs = new GrpoSettings(0.2, 0.28, 0.05, 0.01, LossType.DAPO);
        TrainingGraph tg = TrainingGraph.build(c, WeightSource.of(RandomLlama.weights(s, 2), "tiny"), hooks,
                new TrainingGraph.Grpo(gs, 0.8));
        // B starts at zero; move it so every LoRA path carries gradient to A as well
        Random rnd = new Random(9);
        for (Trainables.Param p : tr.params().values()) {
            for (int i = 0; i < p.values().length; i++) {
                p.values()[i] = (float) (rnd.nextGaussian() * 0.3);
            }
        }
        double worst = check(tg, tr, true, 6);
        System.out.println("[gradcheck] llama LoRA GRPO: " + tr.elementCount() + " parameters, worst error " + worst);
        assertThat(worst).isLessThan(1e-6);
    }

    /** Mistral's sliding window (2 keys, over 5 tokens) in the training graph: the mask carries no gradient, the rest must. */
    @Test
    void loraSlidingWindowGrpoGradientsMatchFiniteDifferences() throws OrtException {
        RandomLlama.Spec s = tinyLlama();
        String json = RandomLlama.configJson(s).replace("\"llama\"", "\"mistral\", \"sliding_window\" : 2");
        DecoderConfig c = HfConfig.parse(json, "tiny mistral");
        assertThat(((rlif.models.arch.LlamaConfig) c).slidingWindow()).isNotNull();
        Trainables tr = new Trainables();
        TrainableHooks hooks = TrainableHooks.lora(new LoraSpec(2, 4, List.of("q_proj", "k_proj", "v_proj")), tr, 5);
        TrainingGraph tg = TrainingGraph.build(c, WeightSource.of(RandomLlama.weights(s, 6), "tiny"), hooks,
                new TrainingGraph.Grpo(GrpoSettings.symmetric(0.2, 0.05, 0.0, LossType.DAPO), 0.8));
        Random rnd = new Random(10);
        for (Trainables.Param p : tr.params().values()) {
            for (int i = 0; i < p.values().length; i++) {
                p.values()[i] = (float) (rnd.nextGaussian() * 0.3);
            }
        }
        double worst = check(tg, tr, true, 8);
        System.out.println("[gradcheck] mistral sliding-window LoRA GRPO: " + tr.elementCount() + " parameters, worst error " + worst);
        assertThat(worst).isLessThan(1e-6);
    }

    @Test
    void fullGpt2SftGradientsMatchFiniteDifferences() throws OrtException {
        String json = "{\"model_type\":\"gpt2\",\"vocab_size\":" + V + ",\"n_embd\":8,\"n_head\":2,\"n_layer\":2,"
                + "\"n_positions\":16,\"activation_function\":\"gelu_new\"}";
        DecoderConfig c = HfConfig.parse(json, "tiny gpt2");
        Map<String, Tensor> w = new LinkedHashMap<>();
        Random rnd = new Random(4);
        put(w, rnd, "transformer.wte.weight", V, 8);
        put(w, rnd, "transformer.wpe.weight", 16, 8);
        for (int l = 0; l < 2; l++) {
            String p = "transformer.h." + l + ".";
            put(w, rnd, p + "ln_1.weight", 8);
            put(w, rnd, p + "ln_1.bias", 8);
            put(w, rnd, p + "attn.c_attn.weight", 8, 24);
            put(w, rnd, p + "attn.c_attn.bias", 24);
            put(w, rnd, p + "attn.c_proj.weight", 8, 8);
            put(w, rnd, p + "attn.c_proj.bias", 8);
            put(w, rnd, p + "ln_2.weight", 8);
            put(w, rnd, p + "ln_2.bias", 8);
            put(w, rnd, p + "mlp.c_fc.weight", 8, 32);
            put(w, rnd, p + "mlp.c_fc.bias", 32);
            put(w, rnd, p + "mlp.c_proj.weight", 32, 8);
            put(w, rnd, p + "mlp.c_proj.bias", 8);
        }
        put(w, rnd, "transformer.ln_f.weight", 8);
        put(w, rnd, "transformer.ln_f.bias", 8);
        Trainables tr = new Trainables();
        TrainingGraph tg = TrainingGraph.build(c, WeightSource.of(w, "tiny gpt2"), TrainableHooks.full(tr),
                new TrainingGraph.Sft());
        double worst = check(tg, tr, false, 7);
        System.out.println("[gradcheck] gpt2 full SFT: " + tr.elementCount() + " parameters, worst error " + worst);
        assertThat(worst).isLessThan(1e-6);
    }

    private static void put(Map<String, Tensor> w, Random rnd, String name, long... shape) {
        int n = 1;
        for (long d : shape) {
            n *= (int) d;
        }
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (rnd.nextGaussian() * 0.4);
        }
        w.put(name, Tensor.ofFloats(name, shape, v));
    }

    /** Runs the promoted graph once for analytic gradients, then two forwards per parameter element. */
    static double check(TrainingGraph tg, Trainables tr, boolean grpo, long seed) throws OrtException {
        byte[] model = Float64Promotion.promote(tg.graph().toModel()).toByteArray();
        Random rnd = new Random(seed);
        Map<String, double[]> params = new LinkedHashMap<>();
        SHAPES.clear();
        for (Trainables.Param p : tr.params().values()) {
            SHAPES.put(p.name(), p.shape());
            double[] d = new double[p.values().length];
            for (int i = 0; i < d.length; i++) {
                d[i] = p.values()[i];
            }
            params.put(p.name(), d);
        }
        long[] ids = new long[B * T];
        long[] targets = new long[B * T];
        long[] mask = new long[B * T];
        long[] pos = new long[B * T];
        double[] weights = new double[B * T];
        double[] old = new double[B * T];
        double[] ref = new double[B * T];
        double[] adv = {0.9, -0.7};
        for (int i = 0; i < B * T; i++) {
            ids[i] = rnd.nextInt(V);
            targets[i] = rnd.nextInt(V);
            mask[i] = 1;
            pos[i] = i % T;
            weights[i] = (i % T) >= 1 ? 1.0 / (B * (T - 1)) : 0; // the first position is "prompt"
            old[i] = -2.4 + 0.3 * rnd.nextGaussian();
            ref[i] = -2.4 + 0.3 * rnd.nextGaussian();
        }
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions so = new OrtSession.SessionOptions()) {
            so.setIntraOpNumThreads(1);
            try (OrtSession session = env.createSession(model, so)) {
                Map<String, double[]> analytic = new HashMap<>();
                Set<String> names = session.getInputNames();
                try (OrtSession.Result r = session.run(feeds(env, names, params, ids, targets, mask, pos, weights, old, ref, adv))) {
                    for (String p : params.keySet()) {
                        analytic.put(p, values((OnnxTensor) r.get(TrainingGraph.GRAD_PREFIX + p).orElseThrow()));
                    }
                }
                double worst = 0;
                double h = 1e-5;
                for (Map.Entry<String, double[]> e : params.entrySet()) {
                    double[] x = e.getValue();
                    for (int i = 0; i < x.length; i++) {
                        double keep = x[i];
                        x[i] = keep + h;
                        double up = loss(env, session, names, params, ids, targets, mask, pos, weights, old, ref, adv);
                        x[i] = keep - h;
                        double down = loss(env, session, names, params, ids, targets, mask, pos, weights, old, ref, adv);
                        x[i] = keep;
                        double numeric = (up - down) / (2 * h);
                        worst = Math.max(worst, Math.abs(analytic.get(e.getKey())[i] - numeric) / Math.max(1, Math.abs(numeric)));
                    }
                }
                return worst;
            }
        }
    }

    private static double loss(OrtEnvironment env, OrtSession s, Set<String> names, Map<String, double[]> params,
            long[] ids, long[] targets, long[] mask, long[] pos, double[] weights, double[] old, double[] ref,
            double[] adv) throws OrtException {
        try (OrtSession.Result r = s.run(feeds(env, names, params, ids, targets, mask, pos, weights, old, ref, adv),
                Set.of(TrainingGraph.LOSS))) {
            return values((OnnxTensor) r.get(TrainingGraph.LOSS).orElseThrow())[0];
        }
    }

    private static Map<String, OnnxTensor> feeds(OrtEnvironment env, Set<String> names, Map<String, double[]> params,
            long[] ids, long[] targets, long[] mask, long[] pos, double[] weights, double[] old, double[] ref,
            double[] adv) throws OrtException {
        long[] bs = {B, T};
        Map<String, OnnxTensor> in = new HashMap<>();
        in.put("input_ids", OnnxTensor.createTensor(env, LongBuffer.wrap(ids), bs));
        in.put("targets", OnnxTensor.createTensor(env, LongBuffer.wrap(targets), bs));
        in.put("attention_mask", OnnxTensor.createTensor(env, LongBuffer.wrap(mask), bs));
        in.put("position_ids", OnnxTensor.createTensor(env, LongBuffer.wrap(pos), bs));
        in.put("weights", OnnxTensor.createTensor(env, DoubleBuffer.wrap(weights), bs));
        if (names.contains("old_logp")) {
            in.put("old_logp", OnnxTensor.createTensor(env, DoubleBuffer.wrap(old), bs));
            in.put("advantages", OnnxTensor.createTensor(env, DoubleBuffer.wrap(adv), new long[] {B, 1}));
        }
        if (names.contains("ref_logp")) {
            in.put("ref_logp", OnnxTensor.createTensor(env, DoubleBuffer.wrap(ref), bs));
        }
        if (names.contains("entropy_weights")) {
            in.put("entropy_weights", OnnxTensor.createTensor(env, DoubleBuffer.wrap(weights), bs));
        }
        for (var e : params.entrySet()) {
            in.put(e.getKey(), OnnxTensor.createTensor(env, DoubleBuffer.wrap(e.getValue()), SHAPES.get(e.getKey())));
        }
        return in;
    }

    /** Shapes of the trainables of the graph being checked (tests in a class run one at a time). */
    private static final Map<String, long[]> SHAPES = new HashMap<>();

    private static double[] values(OnnxTensor t) {
        DoubleBuffer b = t.getDoubleBuffer();
        double[] d = new double[b.remaining()];
        b.get(d);
        return d;
    }
}
