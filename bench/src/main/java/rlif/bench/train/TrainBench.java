package rlif.bench.train;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
import rlif.models.tokenizer.CharTokenizerFiles;
import rlif.trainer.graph.TokenBatch;
import rlif.trainer.graph.TrainingGraph;
import rlif.trainer.graph.TrainingSession;
import rlif.trainer.grpo.GrpoSettings;
import rlif.trainer.init.RandomLlama;
import rlif.trainer.loop.Policy;
import rlif.trainer.optim.AdamW;
import rlif.trainer.optim.AdamWConfig;
import rlif.trainer.optim.GradientClipping;
import rlif.trainer.params.LoraSpec;

/**
 * {@code rlif bench train}: the time of one GRPO step split into rollout (sampling the group from the
 * policy decoder), training graph (forward, loss and backward in ORT) and optimiser (clipping, AdamW and
 * handing the new trainables to the engine), plus training-graph tokens/s, on a given model or on a
 * random llama of the arith models' size.
 */
public final class TrainBench {
    private TrainBench() {}

    /** What to measure. */
    public record Settings(int rows, int promptTokens, int newTokens, int warmups, int repeats, boolean full, int threads) {
        public static Settings quick() {
            return new Settings(16, 16, 24, 1, 3, false, 0);
        }

        public static Settings standard() {
            return new Settings(64, 24, 48, 2, 8, false, 0);
        }
    }

    /** Mean seconds per phase and derived rates. */
    public record Result(String model, String trainables, long trainableParams, int rows, double tokensPerStep,
            double rolloutSeconds, double trainGraphSeconds, double optimizerSeconds) {
        public double trainTokensPerSecond() {
            return tokensPerStep / trainGraphSeconds;
        }

        public double stepTokensPerSecond() {
            return tokensPerStep / (rolloutSeconds + trainGraphSeconds + optimizerSeconds);
        }
    }

    public static Result run(Path modelDir, Settings s, Path work) throws java.io.IOException {
        Path dir = modelDir;
        if (dir == null) {
            dir = work.resolve("bench-model");
            RandomLlama.Spec spec = new RandomLlama.Spec(CharTokenizerFiles.vocabSize(), 96, 256, 3, 4, 2, 256, 10000, 0.02,
                    CharTokenizerFiles.BOS_ID, List.of(CharTokenizerFiles.EOS_ID), CharTokenizerFiles.PAD_ID);
            DecoderConfig c = HfConfig.parse(RandomLlama.configJson(spec), "bench");
            ModelDirectoryWriter.of(c, Decoders.build(c, WeightSource.of(RandomLlama.weights(spec, 1), "bench"),
                    DecoderOptions.inference(DType.F32)))
                    .file("tokenizer.json", CharTokenizerFiles.tokenizerJson().getBytes(java.nio.charset.StandardCharsets.UTF_8))
                    .write(dir);
        }
        DecoderConfig config = HfConfig.read(dir.resolve("config.json"));
        LoraSpec lora = new LoraSpec(8, 16, List.of("q_proj", "v_proj", "gate_proj"));
        TrainingGraph.Grpo objective = new TrainingGraph.Grpo(new GrpoSettings(0.2, 0, 0, GrpoSettings.Averaging.TOKEN), 1.0);
        Files.createDirectories(work);
        try (Policy policy = new Policy(config, OnnxWeightSource.open(dir), dir, s.full(), lora, 1, objective,
                work.resolve("policy-work"), s.threads())) {
            AdamW adamw = new AdamW(new AdamWConfig(1e-5, 0.9, 0.999, 1e-8, 0));
            int vocab = config.vocabSize();
            double rollout = 0;
            double graph = 0;
            double optim = 0;
            double tokens = 0;
            SamplingParams params = new SamplingParams(1.0, 0, 1, s.newTokens());
            for (int it = 0; it < s.warmups() + s.repeats(); it++) {
                List<RolloutRequest> reqs = new ArrayList<>();
                for (int r = 0; r < s.rows(); r++) {
                    int[] prompt = new int[s.promptTokens()];
                    for (int t = 0; t < prompt.length; t++) {
                        prompt[t] = 3 + (r * 7 + t * 13 + it) % (vocab - 3);
                    }
                    reqs.add(new RolloutRequest(prompt, 1000L * it + r));
                }
                long t0 = System.nanoTime();
                var rollouts = policy.engine().generate(reqs, params);
                long t1 = System.nanoTime();
                TokenBatch b = pack(rollouts);
                TrainingSession.Result res = policy.session().step(policy.trainables().values(), policy.shapes(), b, true);
                long t2 = System.nanoTime();
                GradientClipping.clip(res.grads(), 1.0);
                adamw.update(policy.trainables().values(), res.grads(), 1e-5);
                policy.syncEngine();
                long t3 = System.nanoTime();
                if (it >= s.warmups()) {
                    rollout += (t1 - t0) / 1e9;
                    graph += (t2 - t1) / 1e9;
                    optim += (t3 - t2) / 1e9;
                    tokens += (double) b.rows() * b.length();
                }
            }
            int n = s.repeats();
            return new Result(dir.toString(), s.full() ? "full" : "LoRA r=8 on q,v,gate", policy.trainables().elementCount(),
                    s.rows(), tokens / n, rollout / n, graph / n, optim / n);
        }
    }

    /** Teacher-forced batch of the sampled rollouts with a unit advantage (values do not matter for timing). */
    private static TokenBatch pack(List<rlif.evaluator.rollout.Rollout> rs) {
        int rows = rs.size();
        int len = 1;
        for (var r : rs) {
            len = Math.max(len, r.promptIds().length + r.completionIds().length - 1);
        }
        long[] ids = new long[rows * len];
        long[] mask = new long[rows * len];
        long[] pos = new long[rows * len];
        long[] tg = new long[rows * len];
        float[] w = new float[rows * len];
        float[] old = new float[rows * len];
        float[] adv = new float[rows];
        for (int i = 0; i < rows; i++) {
            var r = rs.get(i);
            int[] seq = new int[r.promptIds().length + r.completionIds().length];
            System.arraycopy(r.promptIds(), 0, seq, 0, r.promptIds().length);
            System.arraycopy(r.completionIds(), 0, seq, r.promptIds().length, r.completionIds().length);
            adv[i] = i % 2 == 0 ? 1 : -1;
            for (int t = 0; t < len; t++) {
                int at = i * len + t;
                pos[at] = t;
                if (t + 1 < seq.length) {
                    ids[at] = seq[t];
                    tg[at] = seq[t + 1];
                    mask[at] = 1;
                    int k = t + 1 - r.promptIds().length;
                    if (k >= 0) {
                        w[at] = 1f / (rows * len);
                        old[at] = (float) r.tokenLogprobs()[k];
                    }
                }
            }
        }
        return new TokenBatch(rows, len, ids, mask, pos, tg, w, old, new float[rows * len], adv);
    }

    /** The result as one JSON-friendly map. */
    public static Map<String, Object> toMap(Result r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("model", r.model());
        m.put("trainables", r.trainables());
        m.put("trainable_params", r.trainableParams());
        m.put("rows", r.rows());
        m.put("tokens_per_step", r.tokensPerStep());
        m.put("rollout_seconds", r.rolloutSeconds());
        m.put("train_graph_seconds", r.trainGraphSeconds());
        m.put("optimizer_seconds", r.optimizerSeconds());
        m.put("train_graph_tokens_per_second", r.trainTokensPerSecond());
        m.put("step_tokens_per_second", r.stepTokensPerSecond());
        return m;
    }
}
