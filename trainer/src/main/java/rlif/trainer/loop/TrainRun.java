package rlif.trainer.loop;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import rlif.evaluator.data.ArithProblem;
import rlif.evaluator.rollout.SamplingParams;
import rlif.models.BadInputException;
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
import rlif.models.tokenizer.ModelTokenizer;
import rlif.trainer.checkpoint.TrainerState;
import rlif.trainer.config.TrainConfig;
import rlif.trainer.export.PeftAdapter;
import rlif.trainer.graph.TokenBatch;
import rlif.trainer.graph.TrainingGraph;
import rlif.trainer.graph.TrainingSession;
import rlif.trainer.grpo.Advantages;
import rlif.trainer.grpo.GrpoObjective;
import rlif.trainer.init.RandomLlama;
import rlif.trainer.metrics.MetricsLog;
import rlif.trainer.optim.AdamW;
import rlif.trainer.optim.GradientClipping;
import rlif.trainer.optim.LearningRateSchedule;
import rlif.trainer.params.LoraSpec;
import rlif.trainer.report.TrainingReport;

/**
 * One {@code rlif train} run: SFT or GRPO steps with per-step metrics, held-out evaluation every
 * {@code eval.every} steps, atomic checkpoints (merged model directory + trainer state) every
 * {@code checkpoint.every} steps and at the end, and exact resume from the latest checkpoint.
 *
 * <p>A GRPO step: sample {@code group_size} completions for each of {@code prompts_per_step} problems from
 * the current policy, reward and grade them, compute group-normalised advantages, run the training graph
 * on the teacher-forced completions (old log-probs are the sampler's own, so the first and only update
 * per batch has ratio 1), clip gradients and apply AdamW.
 */
public final class TrainRun {
    private static final long EVAL_SEED = 20251128L;

    private final TrainConfig cfg;
    private final Path out;
    private final boolean resume;
    private final int threads;

    public TrainRun(TrainConfig cfg, Path out, boolean resume, int threads) {
        this.cfg = cfg;
        this.out = out;
        this.resume = resume;
        this.threads = threads;
    }

    /** Runs to {@code steps}; returns the metrics rows written. */
    public List<Map<String, Object>> run() {
        String digest = digest();
        Path metricsFile = out.resolve("metrics.jsonl");
        Path checkpoints = out.resolve("checkpoints");
        prepareOut(metricsFile, digest);
        Path baseDir = cfg.model() != null ? cfg.model() : writeInitialModel();
        DecoderConfig config = HfConfig.read(baseDir.resolve("config.json"));
        WeightSource base = OnnxWeightSource.open(baseDir);
        LoraSpec lora = new LoraSpec(cfg.trainable().rank(), cfg.trainable().alpha(), cfg.trainable().targets());
        TrainingGraph.Objective objective = cfg.objective() == TrainConfig.Objective.SFT
                ? new TrainingGraph.Sft()
                : new TrainingGraph.Grpo(cfg.grpo().settings(), cfg.grpo().temperature());
        Integer bos = config.bosTokenId();
        if (config.eosTokenIds().isEmpty()) {
            throw new BadInputException(baseDir + ": the model has no eos token id; completions could never end");
        }
        eosId = config.eosTokenIds().getFirst();
        int pad = config.padTokenId() == null ? 0 : config.padTokenId();
        AdamW adamw = new AdamW(cfg.optimizer());
        LearningRateSchedule schedule = new LearningRateSchedule(cfg.optimizer().lr(), cfg.schedule().warmupSteps(),
                cfg.steps(), cfg.schedule().cosine(), cfg.schedule().minLrRatio());
        try (ModelTokenizer tok = ModelTokenizer.open(baseDir.resolve("tokenizer.json"));
                Policy policy = new Policy(config, base, baseDir, cfg.trainable().full(), lora, cfg.seed(), objective,
                        out.resolve(".work"), threads)) {
            Map<String, float[]> reference = policy.trainables().snapshot();
            long start = 1;
            MetricsLog log;
            OptionalLong latest = resume ? TrainerState.latest(checkpoints) : OptionalLong.empty();
            if (latest.isPresent()) {
                long at = TrainerState.restore(checkpoints.resolve("step-" + latest.getAsLong()), digest,
                        policy.trainables(), adamw);
                policy.syncEngine();
                start = at + 1;
                log = MetricsLog.resume(metricsFile, at);
            } else {
                log = MetricsLog.create(metricsFile);
            }
            try (log; ProgressBar bar = new ProgressBarBuilder().setTaskName(cfg.objective().name().toLowerCase() + " steps")
                    .setInitialMax(cfg.steps()).setConsumer(new ConsoleProgressBarConsumer(System.err))
                    .showSpeed().build()) {
                bar.stepTo(start - 1);
                if (start == 1) {
                    log.append(evaluate(policy, tok, bos, pad, 0));
                }
                for (long step = start; step <= cfg.steps(); step++) {
                    Map<String, Object> row = cfg.objective() == TrainConfig.Objective.SFT
                            ? sftStep(policy, tok, bos, pad, step, adamw, schedule)
                            : grpoStep(policy, tok, bos, pad, step, adamw, schedule, reference);
                    log.append(row);
                    boolean last = step == cfg.steps();
                    if (last || (cfg.eval().every() > 0 && step % cfg.eval().every() == 0)) {
                        log.append(evaluate(policy, tok, bos, pad, step));
                    }
                    if (last || (cfg.checkpointEvery() > 0 && step % cfg.checkpointEvery() == 0)) {
                        checkpoint(policy, checkpoints, step, digest, adamw, baseDir);
                        TrainingReport.write(out.resolve("report.html"), title(), log.rows());
                    }
                    bar.step();
                    bar.setExtraMessage(String.format(java.util.Locale.ROOT, " loss %.4f", (Double) row.get("loss")));
                }
                TrainingReport.write(out.resolve("report.html"), title(), log.rows());
                return log.rows();
            }
        }
    }

    private String title() {
        String what = cfg.objective() == TrainConfig.Objective.SFT ? "SFT" : "GRPO, reward " + cfg.grpo().reward().describe();
        return "rlif train: " + what + " (" + cfg.source().getFileName() + ")";
    }

    private Map<String, Object> sftStep(Policy policy, ModelTokenizer tok, Integer bos, int pad, long step, AdamW adamw,
            LearningRateSchedule schedule) {
        long t0 = System.nanoTime();
        List<ArithProblem> problems = Problems.draw(cfg.data().source(), "train", cfg.sft().batchSize(),
                Problems.stepSeed(cfg.seed(), step));
        TokenBatch batch = Sequences.pack(sftRows(tok, bos, problems), true, cfg.sft().maxLength(), pad, null);
        long t1 = System.nanoTime();
        TrainingSession.Result r = policy.session().step(policy.trainables().values(), policy.shapes(), batch, true);
        long t2 = System.nanoTime();
        Map<String, Object> row = row(step);
        row.put("loss", r.loss());
        update(policy, r, step, adamw, schedule, row);
        long t3 = System.nanoTime();
        row.put("tokens", batch.weightedTokens());
        row.put("seconds_data", (t1 - t0) / 1e9);
        row.put("seconds_train_graph", (t2 - t1) / 1e9);
        row.put("seconds_optimizer", (t3 - t2) / 1e9);
        return row;
    }

    private List<Sequences.Row> sftRows(ModelTokenizer tok, Integer bos, List<ArithProblem> problems) {
        List<Sequences.Row> rows = new ArrayList<>();
        int eos = policyEos();
        for (ArithProblem p : problems) {
            int[] sol = tok.encode(p.solution(), false);
            int[] completion = java.util.Arrays.copyOf(sol, sol.length + 1);
            completion[sol.length] = eos;
            rows.add(new Sequences.Row(Evaluation.promptIds(tok, bos, p.prompt()), completion, null, null));
        }
        return rows;
    }

    private int eosId;

    private int policyEos() {
        return eosId;
    }

    private Map<String, Object> grpoStep(Policy policy, ModelTokenizer tok, Integer bos, int pad, long step, AdamW adamw,
            LearningRateSchedule schedule, Map<String, float[]> reference) {
        TrainConfig.Grpo g = cfg.grpo();
        long seed = Problems.stepSeed(cfg.seed(), step);
        long t0 = System.nanoTime();
        List<ArithProblem> problems = Problems.draw(cfg.data().source(), "train", g.promptsPerStep(), seed);
        SamplingParams sampling = new SamplingParams(g.temperature(), g.topK(), g.topP(), g.maxNewTokens());
        List<Evaluation.Graded> graded = Evaluation.generate(policy, tok, bos, problems, g.groupSize(), sampling, seed,
                cfg.eval().batchSize() * g.groupSize());
        long t1 = System.nanoTime();
        double[] rewards = new double[graded.size()];
        for (int i = 0; i < rewards.length; i++) {
            rewards[i] = g.reward().of(graded.get(i).rollout().signals(), graded.get(i).correct());
        }
        double[] adv = Advantages.groupNormalised(rewards, g.groupSize(), g.scaleRewards());
        List<Sequences.Row> rows = new ArrayList<>();
        for (Evaluation.Graded e : graded) {
            rows.add(new Sequences.Row(e.rollout().promptIds(), e.rollout().completionIds(), e.rollout().tokenLogprobs(), null));
        }
        boolean tokenLevel = g.settings().averaging() == rlif.trainer.grpo.GrpoSettings.Averaging.TOKEN;
        int maxLen = Integer.MAX_VALUE;
        TokenBatch batch = Sequences.pack(rows, tokenLevel, maxLen, pad, adv);
        if (g.settings().klCoef() > 0) {
            TrainingSession.Result ref = policy.session().step(reference, policy.shapes(), batch, false);
            batch = new TokenBatch(batch.rows(), batch.length(), batch.inputIds(), batch.attentionMask(),
                    batch.positionIds(), batch.targets(), batch.weights(), batch.oldLogp(), ref.tokenLogp(),
                    batch.advantages());
        }
        long t2 = System.nanoTime();
        TrainingSession.Result r = policy.session().step(policy.trainables().values(), policy.shapes(), batch, true);
        long t3 = System.nanoTime();
        Map<String, Object> row = row(step);
        row.put("loss", r.loss());
        GrpoObjective.Result diag = diagnostics(batch, r, adv);
        row.put("reward", mean(rewards));
        row.putAll(Evaluation.summary(graded));
        row.put("kl", diag.meanKl());
        row.put("clipped_share", diag.clippedShare());
        row.put("flat_group_share", Advantages.flatGroupShare(rewards, g.groupSize()));
        update(policy, r, step, adamw, schedule, row);
        long t4 = System.nanoTime();
        row.put("tokens", batch.weightedTokens());
        row.put("seconds_rollout", (t1 - t0) / 1e9);
        row.put("seconds_reference", (t2 - t1) / 1e9);
        row.put("seconds_train_graph", (t3 - t2) / 1e9);
        row.put("seconds_optimizer", (t4 - t3) / 1e9);
        return row;
    }

    /** The Java reference objective on the graph's own log-probs: KL and clip share for the metrics row. */
    private GrpoObjective.Result diagnostics(TokenBatch b, TrainingSession.Result r, double[] adv) {
        GrpoObjective.Completion[] cs = new GrpoObjective.Completion[b.rows()];
        for (int i = 0; i < b.rows(); i++) {
            List<Integer> at = new ArrayList<>();
            for (int t = 0; t < b.length(); t++) {
                if (b.weights()[i * b.length() + t] != 0) {
                    at.add(i * b.length() + t);
                }
            }
            double[] l = new double[at.size()];
            double[] o = new double[at.size()];
            double[] ref = new double[at.size()];
            for (int k = 0; k < l.length; k++) {
                l[k] = r.tokenLogp()[at.get(k)];
                o[k] = b.oldLogp()[at.get(k)];
                ref[k] = b.refLogp()[at.get(k)];
            }
            cs[i] = new GrpoObjective.Completion(l, o, ref, new double[l.length], adv[i]);
        }
        return new GrpoObjective(cfg.grpo().settings()).evaluate(cs);
    }

    /**
     * Clips, checks for non-finite values or an all-zero gradient (such a step is skipped and logged),
     * applies AdamW, syncs the engine.
     */
    private void update(Policy policy, TrainingSession.Result r, long step, AdamW adamw, LearningRateSchedule schedule,
            Map<String, Object> row) {
        double norm = GradientClipping.clip(r.grads(), cfg.maxGradNorm());
        double lr = schedule.at(step);
        row.put("grad_norm", norm);
        row.put("lr", lr);
        if (!Double.isFinite(norm) || !Double.isFinite(r.loss())) {
            row.put("skipped", "non-finite loss or gradient");
            return;
        }
        if (norm == 0) {
            // every group's rewards were equal (and no KL or entropy term): Adam would still move the weights
            // along its stale momentum at full step size, which is drift, not learning
            row.put("skipped", "zero gradient");
            return;
        }
        adamw.update(policy.trainables().values(), r.grads(), lr);
        policy.syncEngine();
    }

    private Map<String, Object> evaluate(Policy policy, ModelTokenizer tok, Integer bos, int pad, long step) {
        long t0 = System.nanoTime();
        TrainConfig.Eval e = cfg.eval();
        List<ArithProblem> problems = Problems.draw(cfg.data().evalSource(), "test", e.limit(), EVAL_SEED);
        SamplingParams params = e.temperature() == 0 ? SamplingParams.greedy(e.maxNewTokens())
                : new SamplingParams(e.temperature(), 0, 1, e.maxNewTokens());
        List<Evaluation.Graded> graded = Evaluation.generate(policy, tok, bos, problems, 1, params, EVAL_SEED, e.batchSize());
        Map<String, Object> row = row(step);
        row.put("eval", true);
        row.putAll(Evaluation.summary(graded));
        if (cfg.objective() == TrainConfig.Objective.SFT) {
            TokenBatch b = Sequences.pack(sftRows(tok, bos, problems), true, cfg.sft().maxLength(), pad, null);
            TrainingSession.Result r = policy.session().step(policy.trainables().values(), policy.shapes(), b, false);
            double loss = 0;
            for (int i = 0; i < b.weights().length; i++) {
                loss -= (double) b.weights()[i] * r.tokenLogp()[i];
            }
            row.put("eval_loss", loss);
        }
        row.put("example", graded.isEmpty() ? "" : graded.getFirst().text());
        row.put("seconds_eval", (System.nanoTime() - t0) / 1e9);
        return row;
    }

    private void checkpoint(Policy policy, Path checkpoints, long step, String digest, AdamW adamw, Path baseDir) {
        Map<String, byte[]> extra = new LinkedHashMap<>(TrainerState.files(step, digest, policy.trainables(), adamw));
        if (policy.isLora()) {
            extra.putAll(PeftAdapter.files(policy.trainables(), policy.lora(), policy.adaptedModules(),
                    PeftAdapter.loadableBase(baseDir)));
        }
        Map<String, Object> prov = new LinkedHashMap<>();
        prov.put("source", baseDir.toString());
        prov.put("trained_by", "rlif train " + cfg.objective().name().toLowerCase() + " step " + step);
        if (policy.isLora()) {
            prov.put("merge", Map.of("lora_rank", policy.lora().rank(), "lora_alpha", policy.lora().alpha(),
                    "targets", List.copyOf(policy.adaptedModules())));
        }
        policy.writeMerged(checkpoints.resolve("step-" + step), extra, prov);
    }

    private Path writeInitialModel() {
        TrainConfig.ModelInit init = cfg.init();
        Path dir = out.resolve("init-model");
        String tokenizerJson;
        String tokenizerConfig = null;
        Integer bos;
        List<Integer> eos;
        Integer padId;
        int vocab;
        if (init.tokenizer().getFileName().toString().equals("char")) {
            // The models module's tokenizer: its post-processor prepends <bos>, so `rlif score` (which encodes
            // plain prompts with special tokens) feeds these models the same ids the trainer does.
            Path tokDir = out.resolve(".work").resolve("char-tokenizer");
            CharTokenizerFiles.write(tokDir);
            try {
                tokenizerJson = Files.readString(tokDir.resolve("tokenizer.json"));
                tokenizerConfig = Files.readString(tokDir.resolve("tokenizer_config.json"));
            } catch (IOException ex) {
                throw new UncheckedIOException("cannot read back " + tokDir, ex);
            }
            vocab = CharTokenizerFiles.vocabSize();
            bos = CharTokenizerFiles.BOS_ID;
            eos = List.of(CharTokenizerFiles.EOS_ID);
            padId = CharTokenizerFiles.PAD_ID;
        } else {
            try {
                tokenizerJson = Files.readString(init.tokenizer());
            } catch (IOException ex) {
                throw new BadInputException(cfg.source() + ": init.tokenizer: cannot read " + init.tokenizer());
            }
            Path tmp = out.resolve(".work").resolve("tokenizer.json");
            AtomicFiles.writeString(tmp, tokenizerJson);
            try (ModelTokenizer t = ModelTokenizer.open(tmp)) {
                vocab = t.vocabSize();
                bos = t.tokenToId("<s>").isPresent() ? t.tokenToId("<s>").getAsInt() : null;
                eos = t.tokenToId("</s>").isPresent() ? List.of(t.tokenToId("</s>").getAsInt()) : List.of();
                padId = t.tokenToId("<pad>").isPresent() ? t.tokenToId("<pad>").getAsInt() : null;
            }
        }
        RandomLlama.Spec spec = new RandomLlama.Spec(vocab, init.hiddenSize(), init.intermediateSize(), init.numLayers(),
                init.numHeads(), init.numKvHeads(), init.maxPositions(), init.ropeTheta(), init.initStd(), bos, eos, padId);
        DecoderConfig config = HfConfig.parse(RandomLlama.configJson(spec), "init");
        WeightSource weights = WeightSource.of(RandomLlama.weights(spec, cfg.seed()), "random init");
        ModelDirectoryWriter w = ModelDirectoryWriter.of(config, Decoders.build(config, weights, DecoderOptions.inference(DType.F32)))
                .file("tokenizer.json", tokenizerJson.getBytes(StandardCharsets.UTF_8))
                .provenance("source", "random init, seed " + cfg.seed());
        if (tokenizerConfig != null) {
            w.file("tokenizer_config.json", tokenizerConfig.getBytes(StandardCharsets.UTF_8));
        }
        w.write(dir);
        return dir;
    }

    private void prepareOut(Path metricsFile, String digest) {
        try {
            if (Files.exists(out) && !Files.isDirectory(out)) {
                throw new BadInputException("--out " + out + " is a file, not a directory");
            }
            Files.createDirectories(out);
            Path runJson = out.resolve("run.json");
            if (!resume && Files.exists(metricsFile)) {
                throw new BadInputException("--out " + out + " already holds a run (metrics.jsonl); pass --resume to"
                        + " continue it or choose another --out");
            }
            if (resume && Files.exists(runJson) && !Files.readString(runJson).contains(digest)) {
                throw new BadInputException("--resume: " + out + " was written with a different config; use the same"
                        + " config or another --out");
            }
            AtomicFiles.writeString(runJson, "{\"config_digest\": \"" + digest + "\", \"config\": "
                    + new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(Files.readString(cfg.source()))
                    + "}\n");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare " + out + ": " + e.getMessage(), e);
        }
    }

    private String digest() {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(cfg.source()));
            return HexFormat.of().formatHex(h, 0, 16);
        } catch (IOException | java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("cannot hash " + cfg.source(), e);
        }
    }

    private static Map<String, Object> row(long step) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("step", step);
        return row;
    }

    private static double mean(double[] xs) {
        double s = 0;
        for (double x : xs) {
            s += x;
        }
        return xs.length == 0 ? 0 : s / xs.length;
    }
}
