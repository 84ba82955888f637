package rlif.demo;

import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import rlif.evaluator.prompt.PromptFormat;
import rlif.models.io.AtomicFiles;
import rlif.trainer.config.TrainConfig;
import rlif.trainer.loop.Compute;
import rlif.trainer.loop.TrainRun;
import rlif.trainer.metrics.RewardTrend;

/**
 * One GRPO run of the demo: one starting model, arm and seed. Writes the run's {@code rlif train} config, trains
 * (resuming an interrupted run), gates it on its optimised reward, and scores each checkpoint on the held-out
 * problems; intermediate checkpoints are deleted once scored (the last is kept).
 */
final class GrpoArmRun {
    private final DemoPlan plan;
    private final Path model;
    private final PromptFormat format;
    private final Arm arm;
    private final long seed;
    private final Path dir;
    private final int threads;
    private final Demo.Scorer scorer;

    GrpoArmRun(DemoPlan plan, Path model, PromptFormat format, Arm arm, long seed, Path runs, int threads,
            Demo.Scorer scorer) {
        this.plan = plan;
        this.model = model;
        this.format = format;
        this.arm = arm;
        this.seed = seed;
        this.dir = runs.resolve(Demo.name(model) + "-" + arm.name() + "-seed" + seed);
        this.threads = threads;
        this.scorer = scorer;
    }

    /** Trains, gates and evaluates; {@code start} is the starting model's own held-out evaluation (step 0). */
    DemoResult.Run run(HeldOut start) {
        Path config = dir.resolve("config.yaml");
        AtomicFiles.writeString(config, config());
        List<Map<String, Object>> rows;
        if (Files.isRegularFile(dir.resolve("checkpoints").resolve("step-" + plan.steps()).resolve("model.onnx"))) {
            rows = readRows(dir.resolve("metrics.jsonl")); // finished earlier: its last checkpoint is published
        } else {
            boolean resume = Files.exists(dir.resolve("metrics.jsonl"));
            rows = new TrainRun(TrainConfig.read(config), dir, resume, Compute.cpu(threads)).run();
        }
        RewardTrend gate = RewardTrend.ofRows(rows);
        List<DemoResult.StepPoint> points = new ArrayList<>();
        points.add(new DemoResult.StepPoint(0, start));
        for (long step : plan.evalSteps()) {
            if (step == 0) {
                continue;
            }
            Path checkpoint = dir.resolve("checkpoints").resolve("step-" + step);
            Path score = dir.resolve("held-out").resolve("step-" + step);
            points.add(new DemoResult.StepPoint(step, scorer.score(null, checkpoint, format, score)));
        }
        try {
            for (long step : plan.evalSteps()) {
                if (step != 0 && step != plan.steps()) {
                    AtomicFiles.deleteRecursively(dir.resolve("checkpoints").resolve("step-" + step));
                }
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot delete the scored checkpoints of " + dir, e);
        }
        String name = Demo.name(model) + "/" + arm.name() + "/seed-" + seed;
        return new DemoResult.Run(name, Demo.name(model), arm, seed, gate, points,
                Demo.accuracyChange(start, points.getLast().heldOut()));
    }

    private static List<Map<String, Object>> readRows(Path metrics) {
        List<Map<String, Object>> rows = new ArrayList<>();
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        try {
            for (String line : Files.readAllLines(metrics)) {
                if (!line.isBlank()) {
                    rows.add(json.readValue(line, new com.fasterxml.jackson.core.type.TypeReference<Map<String, Object>>() {}));
                }
            }
        } catch (java.io.IOException e) {
            throw new rlif.models.BadInputException("cannot read " + metrics + ": " + e.getMessage(), e);
        }
        return rows;
    }

    /**
     * The run's {@code rlif train} config, in TRL's names: full training (the models are small), a constant learning
     * rate, no KL term unless the arm has one ({@code beta}), sampling at temperature 1, a checkpoint at every
     * held-out step. The trainer's own evaluation is kept to the minimum (8 problems, before and after): the demo
     * evaluates the checkpoints with {@code rlif score} instead, on many more problems and samples.
     */
    String config() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("seed", seed);
        c.put("objective", "grpo");
        c.put("model", model.toString());
        c.put("data", Map.of("source", plan.task(), "prompt_format", format.json()));
        c.put("trainable", Map.of("full", true));
        c.put("eval", Map.of("limit", 8, "max_new_tokens", plan.maxNewTokens()));
        Map<String, Object> g = new LinkedHashMap<>();
        g.put("max_steps", plan.steps());
        g.put("learning_rate", plan.learningRate());
        g.put("lr_scheduler_type", "constant");
        g.put("max_grad_norm", 1.0);
        g.put("prompts_per_step", plan.promptsPerStep());
        g.put("num_generations", plan.groupSize());
        g.put("max_completion_length", plan.maxNewTokens());
        g.put("temperature", 1.0);
        g.put("logging_steps", 1);
        g.put("eval_steps", 0);
        g.put("save_steps", plan.evalEvery());
        g.put("reward", arm.reward());
        if (arm.shuffleWithinGroup()) {
            g.put("shuffle_within_group", true);
        }
        if (arm.klCoef() > 0) {
            g.put("beta", arm.klCoef());
        }
        c.put("grpo", g);
        try {
            return "# written by rlif demo (" + arm.name() + " arm); re-run with: rlif train --config config.yaml --out DIR\n"
                    + new YAMLMapper().writeValueAsString(c);
        } catch (com.fasterxml.jackson.core.JsonProcessingException ex) {
            throw new IllegalStateException("cannot write the run config", ex);
        }
    }
}
