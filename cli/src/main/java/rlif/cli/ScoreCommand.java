package rlif.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import rlif.evaluator.compare.ModelPatterns;
import rlif.evaluator.compare.MultiScoreJob;
import rlif.evaluator.compare.ScoredModel;
import rlif.evaluator.data.ProblemSources;
import rlif.evaluator.report.Digits;
import rlif.evaluator.report.Signal;
import rlif.evaluator.score.ScoreJob;
import rlif.evaluator.score.ScoreSettings;
import rlif.models.io.OutLock;

/** {@code rlif score}: rollouts with internal signals on a data set, graded, summarised and reported. */
@Command(name = "score", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Generate rollouts on a data set, record their internal signals, grade the answers and"
                + " measure how well each signal predicts correctness (or, with --teacher-forced, score given"
                + " completions). Writes rollouts.jsonl, summary.json and report.html to --out; re-running into the"
                + " same --out resumes (docs/cli.md). Several models: one sub-folder each and comparison.json/html"
                + " with paired differences against the first (docs/scale.md).")
public final class ScoreCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, arity = "1..*", paramLabel = "DIR",
            description = "model directory; several (repeat the flag, or list them), or a quoted glob such as"
                    + " 'run/checkpoints/step-*', score each into its own sub-folder of --out and compare them"
                    + " (comparison.json, comparison.html) against the first")
    List<String> models;

    @Mixin
    ScoreFlags flags;

    @Option(names = "--teacher-forced", description = "score the completions --data gives (a rollouts.jsonl, or rows with"
            + " completion or completion_ids) instead of generating: their signals at --temperature, in one forward pass")
    boolean teacherForced;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "output directory")
    Path out;

    @Option(names = "--overwrite", description = "replace the results of a different earlier run in --out")
    boolean overwrite;

    @Override
    public Integer call() {
        // every model gets these settings, with its own directory as the model
        ScoreSettings settings = flags.settings("", ProblemSources.of(flags.data()).describe(), teacherForced);
        if (!ModelPatterns.isMulti(models)) {
            settings = settings.withModel(Path.of(models.get(0)).toAbsolutePath().normalize().toString());
            try (OutLock lock = OutLock.acquire(out, "score")) {
                OutLock.requireRunDirectory(out, "score", Set.of(ScoreJob.ROLLOUTS, ScoreJob.SUMMARY));
                ScoreJob.Result result = new ScoreJob(settings, out, overwrite).withThreads(flags.threads())
                        .withProgressBar(true).run();
                print(result, out, System.out);
            }
            return 0;
        }
        List<ScoredModel> list = ModelPatterns.expand(models);
        try (OutLock lock = OutLock.acquire(out, "score")) {
            // an earlier run of these models left their sub-folders, and its comparison once it finished
            Set<String> runFiles = new HashSet<>(Set.of(MultiScoreJob.COMPARISON_JSON, MultiScoreJob.COMPARISON_HTML));
            list.forEach(m -> runFiles.add(m.name()));
            OutLock.requireRunDirectory(out, "score", runFiles);
            MultiScoreJob.Result result = new MultiScoreJob(list, settings, out, overwrite)
                    .withThreads(flags.threads()).withProgressBar(true).run();
            ComparisonTable.print(result.comparison(), out.toAbsolutePath().normalize().toString(), System.out);
        }
        return 0;
    }

    /** The summary table on stdout: rates with their 95% intervals, every number to four significant digits. */
    static void print(ScoreJob.Result result, Path out, PrintStream o) {
        ObjectNode s = result.summary();
        JsonNode c = s.get("counts");
        o.printf(Locale.ROOT, "%-22s %s%n", "output", out.toAbsolutePath().normalize());
        o.printf(Locale.ROOT, "%-22s %d problems, %d rollouts (%d resumed, %d new%s)%n", "rollouts",
                c.get("problems").asInt(), c.get("rollouts").asInt(), result.resumedRows(), result.newRows(),
                result.droppedBytes() > 0 ? ", dropped a torn last line" : "");
        o.printf(Locale.ROOT, "%-22s eos %d, length %d; mean %s tokens%n", "finish",
                c.get("finish_eos").asInt(), c.get("finish_length").asInt(), Digits.of(s.at("/num_tokens/mean")));
        o.printf(Locale.ROOT, "%-22s %s (%d of %d graded correct; 95%% interval, clustered by problem)%n", "accuracy",
                Digits.withInterval(s.get("accuracy"), s.get("accuracy_ci95")), c.get("correct").asInt(),
                c.get("graded").asInt());
        o.printf(Locale.ROOT, "%-22s %-26s %s%n", "k", "pass@k", "maj@k");
        s.get("pass_at_k").fieldNames().forEachRemaining(k -> o.printf(Locale.ROOT, "%-22s %-26s %s%n", k,
                Digits.withInterval(s.at("/pass_at_k/" + k), s.at("/pass_at_k_ci95/" + k)),
                Digits.withInterval(s.at("/maj_at_k/" + k), s.at("/maj_at_k_ci95/" + k))));
        o.printf(Locale.ROOT, "%-22s %10s %10s %10s %10s   %s%n", "signal", "mean", "std", "correct", "incorrect",
                "AUROC [95% interval]");
        for (Signal sig : Signal.values()) {
            JsonNode n = s.at("/signals/" + sig.json());
            o.printf(Locale.ROOT, "%-22s %10s %10s %10s %10s   %s%n", sig.json(), Digits.of(n.get("mean")),
                    Digits.of(n.get("std")), Digits.of(n.get("mean_correct")), Digits.of(n.get("mean_incorrect")),
                    Digits.withInterval(n.get("auroc"), n.get("auroc_ci95")));
        }
        JsonNode checks = s.get("self_check_words");
        if (checks != null) {
            o.printf(Locale.ROOT, "%-22s %s per completion (wait %s, but %s, let me %s); in %s of completions%n",
                    "wait/but/let me", Digits.withInterval(checks.at("/per_completion/all"),
                            checks.at("/per_completion_ci95/all")),
                    Digits.of(checks.at("/per_completion/wait")), Digits.of(checks.at("/per_completion/but")),
                    Digits.of(checks.at("/per_completion/let me")),
                    Digits.withInterval(checks.get("completions_with_any"), checks.get("completions_with_any_ci95")));
        }
        JsonNode best = s.get("best_of_n");
        if (best != null) {
            // with several samples per problem: each signal's pick and rank-weighted vote over all of them
            String k = lastKey(s.get("pass_at_k"));
            o.printf(Locale.ROOT, "%-22s %-26s %s%n", "best-of-" + k + " by", "most confident", "rank-weighted vote");
            for (Signal sig : Signal.values()) {
                JsonNode n = best.get(sig.json());
                o.printf(Locale.ROOT, "%-22s %-26s %s%n", sig.json(),
                        Digits.withInterval(n.at("/best_at_k/" + k), n.at("/best_at_k_ci95/" + k)),
                        Digits.withInterval(n.at("/vote_at_k/" + k), n.at("/vote_at_k_ci95/" + k)));
            }
        }
        boolean forced = s.at("/throughput/scoring_seconds").isNumber();
        o.printf(Locale.ROOT, "%-22s %s tokens/s (%d tokens in %s s of %s)%n", "throughput",
                Digits.of(s.at("/throughput/tokens_per_second")), s.at("/throughput/tokens").asLong(),
                Digits.of(s.at(forced ? "/throughput/scoring_seconds" : "/throughput/generation_seconds")),
                forced ? "teacher-forced scoring" : "generation");
        o.printf(Locale.ROOT, "%-22s %s s%n", "wall time", Digits.of(s.get("wall_seconds")));
    }

    /** The last field name of an object: the largest k of pass@k. */
    private static String lastKey(JsonNode object) {
        String k = null;
        for (var it = object.fieldNames(); it.hasNext(); ) {
            k = it.next();
        }
        return k;
    }
}
