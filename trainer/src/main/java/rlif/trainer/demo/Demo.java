package rlif.trainer.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import rlif.evaluator.data.ProblemSources;
import rlif.evaluator.prompt.PromptFormat;
import rlif.evaluator.score.ScoreJob;
import rlif.evaluator.score.ScoreSettings;
import rlif.models.BadInputException;
import rlif.models.dir.ModelDirectory;
import rlif.models.io.AtomicFiles;
import rlif.trainer.config.TrainConfig;
import rlif.trainer.loop.TrainRun;
import rlif.trainer.export.Export;

/**
 * The paper's experiment in miniature: score a base and an instruct model, train each with GRPO on
 * self-certainty, on token entropy and on the verifiable reward while evaluating on held-out problems, and
 * score {@code rlif mix} interpolations between the two. Every part runs through the real commands' code
 * (the score job, {@code rlif train}'s run from a YAML config written into the output, the weight mixer),
 * so each sub-directory of the output can be inspected or re-run on its own.
 */
public final class Demo {
    /** The rewards of the runs, in report order: two internal signals, then RLVR. */
    public static final List<String> REWARDS = List.of("self_certainty", "token_entropy", "verifiable");
    private static final String MARKER = ".rlif-demo";
    private static final int BATCH = 64;

    private final Path base;
    private final Path instruct;
    private final Path out;
    private final DemoPlan plan;
    private final int threads;
    private final PrintStream log;
    private int phase;
    private int phases;

    /** {@code log} receives one line per phase (stderr in the CLI); the jobs draw their own progress bars. */
    public Demo(Path base, Path instruct, Path out, DemoPlan plan, int threads, PrintStream log) {
        this.base = base.toAbsolutePath().normalize();
        this.instruct = instruct.toAbsolutePath().normalize();
        this.out = out.toAbsolutePath().normalize();
        this.plan = plan;
        this.threads = threads;
        this.log = log;
    }

    /** Runs everything, writes {@code demo.json} and {@code report.html}, and returns what was measured. */
    public DemoResult run() {
        ModelDirectory.open(base);
        ModelDirectory.open(instruct);
        prepareOut();
        phases = 2 + (plan.alphas().size()) + 2 * REWARDS.size();
        List<DemoResult.ModelScore> models = new ArrayList<>();
        models.add(score(name(base), base, out.resolve("score").resolve(name(base))));
        models.add(score(name(instruct), instruct, out.resolve("score").resolve(name(instruct))));
        List<DemoResult.MixPoint> mix = new ArrayList<>();
        for (double alpha : plan.alphas()) {
            Path dir = out.resolve("mix").resolve("alpha-" + alphaName(alpha));
            Export.mix(base, instruct, alpha, dir.resolve("model"));
            DemoResult.ModelScore s = score("mix alpha " + alphaName(alpha), dir.resolve("model"), dir.resolve("score"));
            mix.add(new DemoResult.MixPoint(alpha, s.accuracy(), s.tokenEntropy(), s.selfCertainty()));
        }
        List<DemoResult.Run> runs = new ArrayList<>();
        for (Path model : List.of(base, instruct)) {
            for (String reward : REWARDS) {
                runs.add(train(model, reward));
            }
        }
        DemoResult result = new DemoResult(models, runs, mix);
        DemoJson.write(out.resolve("demo.json"), result);
        DemoReport.write(out.resolve("report.html"), plan, result);
        return result;
    }

    public Path out() {
        return out;
    }

    /** {@code rlif score} of one model on the held-out problems, one sample each at temperature 1. */
    private DemoResult.ModelScore score(String name, Path model, Path dir) {
        announce("score " + name);
        ScoreSettings settings = new ScoreSettings(model.toString(), ProblemSources.of(plan.heldOutSpec()).describe(), 0,
                1, plan.maxNewTokens(), 1.0, 0, 1.0, plan.seed(), BATCH, "cpu", "auto", PromptFormat.PLAIN, false);
        JsonNode summary = new ScoreJob(settings, dir, true).withProgressBar(true).run().summary();
        return new DemoResult.ModelScore(name, DemoJson.number(summary.get("accuracy")),
                DemoJson.number(summary.path("signals").path("token_entropy").get("mean")),
                DemoJson.number(summary.path("signals").path("self_certainty").get("mean")));
    }

    /** One GRPO run through {@code rlif train}'s loop, from a config written beside its results. */
    private DemoResult.Run train(Path model, String reward) {
        String name = name(model) + "/" + reward;
        announce("GRPO from " + name(model) + ", reward " + reward);
        Path dir = out.resolve("runs").resolve(name(model) + "-" + reward);
        Path config = dir.resolve("config.yaml");
        AtomicFiles.writeString(config, runConfig(model, reward));
        List<Map<String, Object>> rows = new TrainRun(TrainConfig.read(config), dir, false, rlif.trainer.loop.Compute.cpu(threads)).run();
        List<DemoResult.StepPoint> steps = new ArrayList<>();
        for (Map<String, Object> r : rows) {
            if (Boolean.TRUE.equals(r.get("eval"))) {
                steps.add(new DemoResult.StepPoint(((Number) r.get("step")).longValue(), num(r, "accuracy"),
                        num(r, "token_entropy"), num(r, "self_certainty"), num(r, "trajectory_entropy"),
                        num(r, "completions/mean_length"), num(r, "transitional_rate")));
            }
        }
        return new DemoResult.Run(name, name(model), reward, steps);
    }

    /**
     * The run's {@code rlif train} config. Full training (the models are small), a constant learning rate,
     * no KL term (the paper's RLIF setting), sampling and evaluation at temperature 1.
     */
    String runConfig(Path model, String reward) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("seed", plan.seed());
        c.put("steps", plan.steps());
        c.put("objective", "grpo");
        c.put("model", model.toString());
        c.put("data", Map.of("source", plan.task()));
        c.put("trainable", Map.of("full", true));
        Map<String, Object> opt = new LinkedHashMap<>();
        opt.put("lr", plan.learningRate());
        opt.put("schedule", "constant");
        opt.put("warmup_steps", 0);
        opt.put("max_grad_norm", 1.0);
        c.put("optimizer", opt);
        Map<String, Object> g = new LinkedHashMap<>();
        g.put("prompts_per_step", plan.promptsPerStep());
        g.put("group_size", plan.groupSize());
        g.put("temperature", 1.0);
        g.put("max_new_tokens", plan.maxNewTokens());
        g.put("reward", Map.of(reward, 1.0));
        c.put("grpo", g);
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("every", plan.evalEvery());
        e.put("limit", plan.evalLimit());
        e.put("temperature", 1.0);
        e.put("max_new_tokens", plan.maxNewTokens());
        e.put("batch_size", BATCH);
        c.put("eval", e);
        try {
            return "# written by rlif demo; re-run with: rlif train --config config.yaml --out DIR\n"
                    + new YAMLMapper().writeValueAsString(c);
        } catch (com.fasterxml.jackson.core.JsonProcessingException ex) {
            throw new IllegalStateException("cannot write the run config", ex);
        }
    }

    /** A fresh or earlier demo directory: the demo's own sub-directories are replaced, anything else refused. */
    private void prepareOut() {
        try {
            if (Files.exists(out) && !Files.isDirectory(out)) {
                throw new BadInputException("--out " + out + " is a file; expected a directory");
            }
            if (Files.isDirectory(out)) {
                boolean empty;
                try (var s = Files.list(out)) {
                    empty = s.findAny().isEmpty();
                }
                if (!empty && !Files.exists(out.resolve(MARKER))) {
                    throw new BadInputException("--out " + out + " is not empty and was not written by rlif demo;"
                            + " choose a new or empty directory");
                }
                for (String sub : List.of("score", "mix", "runs")) {
                    AtomicFiles.deleteRecursively(out.resolve(sub));
                }
            }
            Files.createDirectories(out);
            AtomicFiles.writeString(out.resolve(MARKER), "written by rlif demo; its sub-directories are replaced on re-runs\n");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare --out " + out + ": " + e.getMessage(), e);
        }
    }

    private void announce(String what) {
        phase++;
        log.printf(Locale.ROOT, "demo [%d/%d] %s%n", phase, phases, what);
        log.flush();
    }

    static String name(Path model) {
        return model.getFileName().toString();
    }

    static String alphaName(double alpha) {
        return String.format(Locale.ROOT, "%.2f", alpha);
    }

    private static Double num(Map<String, Object> row, String key) {
        return row.get(key) instanceof Number n ? n.doubleValue() : null;
    }
}
