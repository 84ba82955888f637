package rlif.bench.train;

import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import rlif.trainer.checkpoint.TrainerState;
import rlif.trainer.metrics.MetricsLog;
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
import rlif.models.io.AtomicFiles;
import rlif.models.tensor.DType;
import rlif.models.tokenizer.CharTokenizerFiles;
import rlif.trainer.batch.MicroBatch;
import rlif.trainer.batch.MicroBatcher;
import rlif.trainer.batch.Sequence;
import rlif.trainer.config.TrainConfig;
import rlif.trainer.graph.Gradients;
import rlif.trainer.graph.TrainingGraph;
import rlif.trainer.grpo.GrpoSettings;
import rlif.trainer.grpo.LossType;
import rlif.trainer.init.RandomLlama;
import rlif.trainer.loop.Compute;
import rlif.trainer.loop.Policy;
import rlif.trainer.loop.TrainRun;
import rlif.trainer.metrics.ResidentMemory;
import rlif.trainer.optim.AdamW;
import rlif.trainer.optim.AdamWConfig;
import rlif.trainer.optim.GradientClipping;
import rlif.trainer.params.LoraSpec;

/**
 * {@code rlif bench train}: the time of a GRPO step split into rollout (sampling the group from the policy
 * decoder), training graph (forward, loss and backward in ORT, over the step's micro-batches) and optimiser
 * (clipping, AdamW and handing the new trainables to the engine), tokens/s, and the process's peak resident
 * memory. Two cases:
 *
 * <ul>
 *   <li>{@link #run}: rows of random prompt ids on a given model or on a random llama of the arith models' size
 *       (the step's parts called directly: the baseline the arith step is compared against);
 *   <li>{@link #real}: a real model on real data through {@code rlif train}'s own loop ({@link TrainRun}), LoRA GRPO
 *       with the verifiable reward, timed from its metrics rows.
 * </ul>
 */
public final class TrainBench {
    private TrainBench() {}

    /** What to measure with random prompts; {@code microBatch} rows per training-graph run (= rows: one run). */
    public record Settings(int rows, int promptTokens, int newTokens, int warmups, int repeats, boolean full, int threads,
            int microBatch) {
        public static Settings quick() {
            return new Settings(16, 16, 24, 1, 3, false, 0, 16);
        }

        public static Settings standard() {
            return new Settings(64, 24, 48, 2, 8, false, 0, 64);
        }
    }

    /** The real-model case: prompts x generations completions of up to {@code newTokens}, micro-batched. */
    public record RealSettings(int prompts, int generations, int newTokens, int microBatch, int rolloutBatch, int steps,
            String promptFormat, int threads) {
        public static RealSettings quick() {
            return new RealSettings(2, 4, 64, 2, 8, 3, "chat", 0);
        }

        public static RealSettings standard() {
            return new RealSettings(4, 8, 128, 4, 32, 4, "chat", 0);
        }
    }

    /**
     * Mean seconds per phase of a timed step, derived rates, and peak resident bytes of the case (-1 where
     * unknown).
     */
    public record Result(String model, String trainables, long trainableParams, int rows, double tokensPerStep,
            double rolloutSeconds, double trainGraphSeconds, double optimizerSeconds, long peakRssBytes,
            CpuSeconds cpu) {
        public double stepSeconds() {
            return rolloutSeconds + trainGraphSeconds + optimizerSeconds;
        }

        public double trainTokensPerSecond() {
            return tokensPerStep / trainGraphSeconds;
        }

        public double stepTokensPerSecond() {
            return tokensPerStep / stepSeconds();
        }
    }

    /**
     * CPU seconds per phase of a timed step (null where not measured): with one ONNX Runtime thread, the calling
     * thread's, which other jobs on a shared machine do not inflate as they inflate wall time; otherwise the
     * process's.
     */
    public record CpuSeconds(double rollout, double trainGraph, double optimizer) {
        public double step() {
            return rollout + trainGraph + optimizer;
        }
    }

    private static final java.lang.management.ThreadMXBean THREADS =
            java.lang.management.ManagementFactory.getThreadMXBean();
    private static final com.sun.management.OperatingSystemMXBean OS = (com.sun.management.OperatingSystemMXBean)
            java.lang.management.ManagementFactory.getOperatingSystemMXBean();

    private static long cpuNanos(int threads) {
        return threads == 1 ? THREADS.getCurrentThreadCpuTime() : OS.getProcessCpuTime();
    }

    public static Result run(Path modelDir, Settings s, Path work) throws IOException {
        ResidentMemory.resetPeak();
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
        TrainConfig.Trainable trainable = new TrainConfig.Trainable(s.full(),
                new LoraSpec(8, 16, List.of("q_proj", "v_proj", "gate_proj")));
        GrpoSettings grpo = GrpoSettings.symmetric(0.2, 0, 0, LossType.DAPO);
        TrainingGraph.Grpo objective = new TrainingGraph.Grpo(grpo, 1.0);
        Files.createDirectories(work);
        try (Policy policy = new Policy(config, OnnxWeightSource.open(dir), dir, trainable, 1, objective,
                work.resolve("policy-work"), Compute.cpu(s.threads()))) {
            AdamW adamw = new AdamW(new AdamWConfig(1e-5, 0.9, 0.999, 1e-8, 0));
            int vocab = config.vocabSize();
            double rollout = 0;
            double graph = 0;
            double optim = 0;
            double tokens = 0;
            double[] cpu = new double[3];
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
                long c0 = cpuNanos(s.threads());
                long t0 = System.nanoTime();
                List<Rollout> rollouts = policy.engine().generate(reqs, params);
                long t1 = System.nanoTime();
                long c1 = cpuNanos(s.threads());
                List<Sequence> seqs = new ArrayList<>();
                for (int i = 0; i < rollouts.size(); i++) {
                    Rollout r = rollouts.get(i);
                    // advantages of alternating sign: their values do not matter for timing
                    seqs.add(new Sequence(r.promptIds(), r.completionIds(), r.tokenLogprobs(), i % 2 == 0 ? 1 : -1));
                }
                List<MicroBatch> micro = MicroBatcher.grpo(seqs, s.microBatch(), LossType.DAPO, s.newTokens(), false, 0);
                Gradients grads = new Gradients(policy.session().trainableShapes());
                double padded = 0;
                for (MicroBatch m : micro) {
                    policy.session().backward(policy.trainables().values(), m.batch(), grads);
                    padded += (double) m.batch().rows() * m.batch().length();
                }
                long t2 = System.nanoTime();
                long c2 = cpuNanos(s.threads());
                GradientClipping.clip(grads.values(), 1.0);
                adamw.update(policy.trainables().values(), grads.values(), 1e-5);
                policy.syncEngine();
                long t3 = System.nanoTime();
                long c3 = cpuNanos(s.threads());
                if (it >= s.warmups()) {
                    rollout += (t1 - t0) / 1e9;
                    graph += (t2 - t1) / 1e9;
                    optim += (t3 - t2) / 1e9;
                    tokens += padded;
                    cpu[0] += (c1 - c0) / 1e9;
                    cpu[1] += (c2 - c1) / 1e9;
                    cpu[2] += (c3 - c2) / 1e9;
                }
            }
            int n = s.repeats();
            return new Result(dir.toString(), s.full() ? "full" : "LoRA r=8 on q,v,gate", policy.trainables().elementCount(),
                    s.rows(), tokens / n, rollout / n, graph / n, optim / n, ResidentMemory.peakBytes(),
                    new CpuSeconds(cpu[0] / n, cpu[1] / n, cpu[2] / n));
        }
    }

    /**
     * {@code rlif train} itself on {@code model} and {@code data} (a JSONL file, held out by the usual hash split):
     * LoRA r=8 on q and v, GRPO with the verifiable reward, {@code steps} steps of which the first is not timed.
     * Tokens per step are prompt and completion tokens, as TRL's {@code num_tokens} counts them.
     */
    public static Result real(Path model, Path data, RealSettings s, Path work) throws IOException {
        ResidentMemory.resetPeak();
        Map<String, Object> grpo = new LinkedHashMap<>();
        grpo.put("max_steps", s.steps());
        grpo.put("learning_rate", 1e-5);
        grpo.put("lr_scheduler_type", "constant");
        grpo.put("num_generations", s.generations());
        grpo.put("prompts_per_step", s.prompts());
        grpo.put("per_device_train_batch_size", s.microBatch());
        grpo.put("rollout_batch_size", s.rolloutBatch());
        grpo.put("max_completion_length", s.newTokens());
        grpo.put("eval_steps", 0);
        grpo.put("reward", Map.of("verifiable", 1.0));
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("seed", 1);
        c.put("objective", "grpo");
        c.put("model", model.toAbsolutePath().toString());
        c.put("data", Map.of("source", data.toAbsolutePath().toString(), "prompt_format", s.promptFormat()));
        c.put("trainable", Map.of("lora", Map.of("rank", 8, "alpha", 16, "targets", List.of("q_proj", "v_proj"))));
        c.put("eval", Map.of("limit", 1, "max_new_tokens", 8, "batch_size", 1));
        c.put("grpo", grpo);
        Path config = work.resolve("bench-train.yaml");
        Files.createDirectories(work);
        AtomicFiles.writeString(config, new YAMLMapper().writeValueAsString(c));
        TrainConfig cfg = TrainConfig.read(config);
        List<Map<String, Object>> rows = new TrainRun(cfg, work.resolve("run"), false, Compute.cpu(s.threads())).run();
        double rollout = 0;
        double graph = 0;
        double optim = 0;
        double tokens = 0;
        long previousTokens = 0;
        int timed = 0;
        for (Map<String, Object> r : rows) {
            if (!MetricsLog.isTrainingStep(r)) {
                continue;
            }
            long cumulative = ((Number) r.get("num_tokens")).longValue();
            if (((Number) r.get("step")).longValue() > 1) {
                rollout += num(r, "seconds_rollout") + num(r, "seconds_reference");
                graph += num(r, "seconds_train_graph");
                optim += num(r, "seconds_optimizer");
                tokens += cumulative - previousTokens;
                timed++;
            }
            previousTokens = cumulative;
        }
        int n = Math.max(1, timed);
        long trainables = TrainerState.trainableCount(work.resolve("run").resolve("checkpoints").resolve("step-" + s.steps()));
        return new Result(model.toString(), "LoRA r=8 on q,v", trainables, s.prompts() * s.generations(), tokens / n, rollout / n,
                graph / n, optim / n, ResidentMemory.peakBytes(), null);
    }

    private static double num(Map<String, Object> row, String key) {
        return row.get(key) instanceof Number n ? n.doubleValue() : 0;
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
        m.put("step_seconds", r.stepSeconds());
        m.put("train_graph_tokens_per_second", r.trainTokensPerSecond());
        m.put("step_tokens_per_second", r.stepTokensPerSecond());
        m.put("peak_rss_bytes", r.peakRssBytes());
        if (r.cpu() != null) {
            m.put("rollout_cpu_seconds", r.cpu().rollout());
            m.put("train_graph_cpu_seconds", r.cpu().trainGraph());
            m.put("optimizer_cpu_seconds", r.cpu().optimizer());
            m.put("step_cpu_seconds", r.cpu().step());
        }
        return m;
    }
}
