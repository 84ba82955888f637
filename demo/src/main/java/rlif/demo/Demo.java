package rlif.demo;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import rlif.evaluator.data.ProblemSources;
import rlif.evaluator.metrics.Interval;
import rlif.evaluator.metrics.Intervals;
import rlif.evaluator.prompt.PromptFormat;
import rlif.evaluator.score.ScoreJob;
import rlif.evaluator.score.ScoreSettings;
import rlif.evaluator.validity.RewardValidity;
import rlif.models.dir.ModelDirectory;
import rlif.trainer.export.Export;

/**
 * The paper's experiment on the project's model organism, run through the real commands' code:
 *
 * <ol>
 *   <li>score the base and the instruct model on the held-out problems ({@code rlif score}, several samples per
 *       problem);</li>
 *   <li>measure each internal signal's validity as a reward on both ({@code rlif reward-validity});</li>
 *   <li>score {@code rlif mix} interpolations between the two;</li>
 *   <li>train each model with GRPO in every arm (internal rewards, RLVR, controls) and seed ({@code rlif train}
 *       from a config written beside its results), gate each run on whether its reward rose, and score its
 *       checkpoints on the same held-out problems.</li>
 * </ol>
 *
 * Every sub-directory of the output can be inspected or re-run on its own. A second run into the same output
 * with the same plan resumes: finished evaluations and runs are kept, an interrupted run continues from its
 * last checkpoint. A different plan starts afresh.
 */
public final class Demo {
    private static final String MARKER = ".rlif-demo";
    static final int BATCH = 128;

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
        DemoOutput.prepare(out, MARKER, DemoJson.identity(plan, base, instruct));
        phases = 2 + 1 + plan.alphas().size() + 2 * plan.arms().size() * plan.seeds().size();
        List<DemoResult.ModelScore> models = new ArrayList<>();
        Path baseScore = out.resolve("score").resolve(name(base));
        Path instructScore = out.resolve("score").resolve(name(instruct));
        models.add(new DemoResult.ModelScore(name(base), plan.baseFormat().json(),
                score("score " + name(base), base, plan.baseFormat(), baseScore)));
        models.add(new DemoResult.ModelScore(name(instruct), plan.instructFormat().json(),
                score("score " + name(instruct), instruct, plan.instructFormat(), instructScore)));
        announce("reward validity of each signal on both models");
        List<RewardValidity.Report> validity = List.of(RewardValidity.of(name(base), baseScore),
                RewardValidity.of(name(instruct), instructScore));
        List<DemoResult.MixPoint> mix = new ArrayList<>();
        for (double alpha : plan.alphas()) {
            Path dir = out.resolve("mix").resolve("alpha-" + alphaName(alpha));
            if (!Files.isRegularFile(dir.resolve("model").resolve("model.onnx"))) {
                Export.mix(base, instruct, alpha, dir.resolve("model"));
            }
            mix.add(new DemoResult.MixPoint(alpha, score("score mix alpha " + alphaName(alpha), dir.resolve("model"),
                    plan.baseFormat(), dir.resolve("score"))));
        }
        List<DemoResult.Run> runs = new ArrayList<>();
        for (Path model : List.of(base, instruct)) {
            PromptFormat format = model.equals(base) ? plan.baseFormat() : plan.instructFormat();
            HeldOut startPoint = models.get(model.equals(base) ? 0 : 1).heldOut();
            for (Arm arm : plan.arms()) {
                for (long seed : plan.seeds()) {
                    announce("GRPO from " + name(model) + ", arm " + arm.name() + ", seed " + seed);
                    runs.add(new GrpoArmRun(plan, model, format, arm, seed, out.resolve("runs"), threads, this::score)
                            .run(startPoint));
                }
            }
        }
        DemoResult result = new DemoResult(plan, models, validity, runs, mix);
        DemoJson.write(out.resolve("demo.json"), result);
        DemoReport.write(out.resolve("report.html"), result);
        return result;
    }

    public Path out() {
        return out;
    }

    /**
     * {@code rlif score} of one model on the held-out problems ({@code heldOutSamples} samples each at
     * temperature 1, the evaluation seed). A finished evaluation in {@code dir} (its summary written) is read
     * back, an interrupted one resumed; the plan, which {@code dir} belongs to, fixes the settings.
     */
    HeldOut score(String what, Path model, PromptFormat format, Path dir) {
        if (what != null) {
            announce(what);
        }
        if (Files.isRegularFile(dir.resolve(ScoreJob.SUMMARY))) {
            return HeldOut.read(dir);
        }
        ScoreSettings settings = new ScoreSettings(model.toString(), ProblemSources.of(plan.heldOutSpec()).describe(), 0,
                plan.heldOutSamples(), plan.maxNewTokens(), 1.0, 0, 1.0, DemoPlan.EVAL_SEED, BATCH, "cpu", "auto",
                format, false);
        new ScoreJob(settings, dir, false).withProgressBar(true).run();
        return HeldOut.read(dir);
    }

    /** The paired change in held-out accuracy between two evaluations of the same problems. */
    static Interval accuracyChange(HeldOut from, HeldOut to) {
        return Intervals.pairedDifference(to.accuracyByProblem(), from.accuracyByProblem());
    }

    /** Scores a model into a directory: how a run scores its checkpoints. */
    @FunctionalInterface
    interface Scorer {
        HeldOut score(String what, Path model, PromptFormat format, Path dir);
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
}
