package rlif.trainer.loop;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import rlif.models.BadInputException;
import rlif.models.progress.Progress;
import rlif.models.progress.ProgressSink;
import rlif.models.provenance.ModelDigest;
import rlif.models.provenance.Provenance;
import rlif.trainer.checkpoint.TrainerState;
import rlif.trainer.config.ResolvedConfig;
import rlif.trainer.config.TrainConfig;
import rlif.trainer.data.TrainingData;
import rlif.trainer.export.PeftAdapter;
import rlif.trainer.graph.TrainingGraph;
import rlif.trainer.init.InitialModel;
import rlif.trainer.metrics.MetricsLog;
import rlif.trainer.metrics.ResidentMemory;
import rlif.trainer.metrics.RewardTrend;
import rlif.trainer.report.TrainingReport;
import rlif.trainer.reward.RewardKind;

/**
 * One {@code rlif train} run: the loop over optimiser steps, with a metrics row every {@code logging_steps},
 * held-out evaluation every {@code eval_steps} (and before the first step and after the last), atomic checkpoints
 * (merged model directory + trainer state) every {@code save_steps} and at the end, and exact resume from the
 * latest checkpoint. What a step does is {@link SftStep}'s or {@link GrpoStep}'s business.
 *
 * <p>Everything the user handed over (config, data, model, prompts) is checked before {@code --out} is touched.
 */
public final class TrainRun {
    private final TrainConfig cfg;
    private final RunDirectory dir;
    private final boolean resume;
    private final Compute compute;

    public TrainRun(TrainConfig cfg, Path out, boolean resume, Compute compute) {
        this.cfg = cfg;
        this.dir = new RunDirectory(out);
        this.resume = resume;
        this.compute = compute;
    }

    /** Runs to {@code max_steps}; returns the metrics rows written. */
    public List<Map<String, Object>> run() {
        compute.device().requireAvailable();
        TrainingData data = TrainingData.open(cfg);
        requireWhatTheRunNeeds(data);
        StartingModel checked = cfg.model() != null ? StartingModel.open(cfg.model(), cfg, data) : null;
        String digest = ResolvedConfig.digest(cfg);
        try {
            dir.prepare(resume, digest, runJson(data));
            if (checked == null) {
                Path init = InitialModel.write(cfg.init(), cfg.seed(), dir.initModel(), dir.work(), cfg.source() + ": ");
                checked = StartingModel.open(init, cfg, data);
            }
        } catch (RuntimeException e) {
            if (checked != null) {
                checked.close();
            }
            throw e;
        }
        List<Map<String, Object>> rows;
        try (StartingModel model = checked;
                Policy policy = ProgressSink.stderr().during("building the policy and its training graph",
                        () -> new Policy(model.config(), model.weights(), model.dir(), cfg.trainable(), cfg.seed(),
                                objective(), dir.work(), compute))) {
            rows = loop(data, model, policy, digest);
        }
        dir.removeScratch();
        return rows;
    }

    private List<Map<String, Object>> loop(TrainingData data, StartingModel model, Policy policy, String digest) {
        TrainConfig.Optimization opt = cfg.optimization();
        OptimizerStep optimizer = new OptimizerStep(policy, opt);
        TrainingStep step = cfg.objective() == TrainConfig.Objective.SFT
                ? new SftStep(cfg.sft(), data, model, optimizer)
                : new GrpoStep(cfg.grpo(), cfg.seed(), data, model, policy, optimizer);
        HeldOutEval eval = new HeldOutEval(cfg.eval(), cfg.sft(), data.heldOut(), model, policy);
        long start = 1;
        MetricsLog log;
        OptionalLong latest = resume ? TrainerState.latest(dir.checkpoints()) : OptionalLong.empty();
        if (latest.isPresent()) {
            long at = TrainerState.restore(dir.checkpoints().resolve("step-" + latest.getAsLong()), digest,
                    policy.trainables(), optimizer.adamw());
            policy.syncEngine();
            start = at + 1;
            log = MetricsLog.resume(dir.metrics(), at);
        } else {
            log = MetricsLog.create(dir.metrics());
        }
        long numTokens = lastNumber(log.rows(), "num_tokens");
        LogWindow window = new LogWindow();
        Map<String, Object> stamp = start == 1 ? provenance(digest, model.dir()) : null;
        try (log; Progress bar = ProgressSink.stderr().bar("train " + cfg.objective().key(), cfg.steps(), "steps",
                start - 1)) {
            if (start == 1) {
                FreedMemory.releaseAfter("policy and training graph built");
                Map<String, Object> first = withStep(0, eval.run());
                FreedMemory.releaseAfter("held-out evaluation");
                first.put("provenance", stamp);
                log.append(first);
            }
            for (long s = start; s <= cfg.steps(); s++) {
                Map<String, Object> row = step.run(s);
                numTokens += step.inputTokens();
                row.put("num_tokens", numTokens);
                long peak = ResidentMemory.peakBytes();
                if (peak >= 0) {
                    row.put(MetricsLog.PEAK_RSS, peak >> 20);
                }
                window.add(row);
                boolean last = s == cfg.steps();
                boolean save = last || (opt.saveSteps() > 0 && s % opt.saveSteps() == 0);
                if (save || s % opt.loggingSteps() == 0) {
                    log.append(window.flush(s));
                }
                if (last || (opt.evalSteps() > 0 && s % opt.evalSteps() == 0)) {
                    log.append(withStep(s, eval.run()));
                    FreedMemory.releaseAfter("held-out evaluation");
                }
                if (save) {
                    checkpoint(policy, model, s, digest, optimizer);
                    TrainingReport.write(dir.report(), title(), log.rows());
                    ResidentMemory.trace("checkpoint");
                }
                bar.step();
                bar.message(progress(row));
            }
            if (cfg.objective() == TrainConfig.Objective.GRPO && start <= cfg.steps()) {
                // the sanity gate: did the reward this run optimised rise? (a resumed finished run keeps its row)
                log.append(RewardTrend.ofRows(log.rows()).toRow(cfg.steps()));
            }
            TrainingReport.write(dir.report(), title(), log.rows());
            return log.rows();
        }
    }

    /** The stamp of metrics.jsonl's first row: version, commit, date, command, config and model digests. */
    private static Map<String, Object> provenance(String configDigest, Path baseDir) {
        Map<String, Object> p = ProgressSink.stderr().during("hashing the base model's files for the provenance stamp",
                () -> Provenance.now(ModelDigest.of(baseDir)).toMap());
        p.put("config_digest", configDigest);
        return p;
    }

    private TrainingGraph.Objective objective() {
        return cfg.objective() == TrainConfig.Objective.SFT
                ? new TrainingGraph.Sft()
                : new TrainingGraph.Grpo(cfg.grpo().objective(), cfg.grpo().sampling().temperature());
    }

    /** Refuses data without what the objective or reward needs, naming the row and the setting. */
    private void requireWhatTheRunNeeds(TrainingData data) {
        if (cfg.objective() == TrainConfig.Objective.SFT) {
            String need = cfg.where("objective") + " sft";
            data.require("worked solution (a text field answer)", p -> p.solution() != null, need, cfg.sft().batchSize());
            data.requireHeldOut("worked solution (a text field answer)", p -> p.solution() != null,
                    cfg.where(cfg.data().evalSource() != null ? "data.eval_source" : "data.source"),
                    "the held-out loss of objective sft");
        } else if (cfg.grpo().reward().uses(RewardKind.VERIFIABLE)) {
            data.require("gradable answer (field answer or reference)", p -> p.reference() != null,
                    cfg.where(cfg.key("reward.verifiable")), cfg.grpo().promptsPerStep());
        }
    }

    /**
     * Why a run applied no update at all, or null when it applied some: such a run has trained nothing, and
     * {@code rlif train} must not report it as a success (its files stay, and show why). A study that expects
     * it (a reward that cannot separate completions of a model) reads the rows instead.
     */
    public static String nothingLearned(List<Map<String, Object>> rows, int steps) {
        long skipped = 0;
        String why = null;
        for (Map<String, Object> r : rows) {
            if (MetricsLog.isTrainingStep(r) && r.get("skipped_steps") instanceof Number n) {
                skipped += n.longValue();
                why = String.valueOf(r.get("skipped"));
            }
        }
        if (skipped < steps) {
            return null;
        }
        return "every one of the " + steps + " steps was skipped (" + why + "), so the weights never changed: "
                + (why != null && why.contains("zero")
                        ? "every group's rewards were equal, so the reward cannot tell this model's completions apart"
                        + " on this data"
                        : "the model produces non-finite values on this data");
    }

    private ObjectNode runJson(TrainingData data) {
        ObjectNode o = new ObjectMapper().createObjectNode();
        try {
            o.put("config_file", cfg.source().toAbsolutePath().normalize().toString());
            o.put("config", Files.readString(cfg.source()));
        } catch (IOException e) {
            throw new BadInputException(cfg.source() + ": cannot read: " + e.getMessage(), e);
        }
        ObjectNode overrides = o.putObject("renamed_or_overridden");
        cfg.origins().forEach(overrides::put);
        o.set("resolved", ResolvedConfig.of(cfg));
        o.set("data", new ObjectMapper().valueToTree(data.describe()));
        return o;
    }

    private void checkpoint(Policy policy, StartingModel model, long step, String digest, OptimizerStep optimizer) {
        Map<String, byte[]> extra = new LinkedHashMap<>(TrainerState.files(step, digest, policy.trainables(),
                optimizer.adamw()));
        if (policy.isLora()) {
            extra.putAll(PeftAdapter.files(policy.trainables(), policy.lora(), policy.adaptedModules(),
                    PeftAdapter.loadableBase(model.dir())));
        }
        Map<String, Object> prov = new LinkedHashMap<>();
        prov.put("source", model.dir().toString());
        prov.put("trained_by", "rlif train " + cfg.objective().key() + " step " + step);
        if (policy.isLora()) {
            prov.put("merge", Map.of("lora_rank", policy.lora().rank(), "lora_alpha", policy.lora().alpha(),
                    "targets", List.copyOf(policy.adaptedModules())));
        }
        policy.writeMerged(dir.checkpoints().resolve("step-" + step), extra, prov);
    }

    private String title() {
        String what = cfg.objective() == TrainConfig.Objective.SFT ? "SFT"
                : "GRPO, reward " + cfg.grpo().reward().describe();
        return "rlif train: " + what + " (" + cfg.source().getFileName() + ")";
    }

    private static String progress(Map<String, Object> row) {
        StringBuilder s = new StringBuilder();
        if (row.get("loss") instanceof Double l) {
            s.append(String.format(Locale.ROOT, "loss %.4f", l));
        }
        if (row.get("reward") instanceof Double r) {
            s.append(String.format(Locale.ROOT, " reward %.3f", r));
        }
        return s.toString();
    }

    private static Map<String, Object> withStep(long step, Map<String, Object> row) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("step", step);
        out.putAll(row);
        return out;
    }

    private static long lastNumber(List<Map<String, Object>> rows, String key) {
        long v = 0;
        for (Map<String, Object> r : rows) {
            if (r.get(key) instanceof Number n) {
                v = n.longValue();
            }
        }
        return v;
    }
}
