package rlif.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import rlif.evaluator.data.ProblemSources;
import rlif.evaluator.prompt.PromptFormat;
import rlif.evaluator.report.Digits;
import rlif.evaluator.report.Signal;
import rlif.evaluator.score.ScoreJob;
import rlif.evaluator.score.ScoreSettings;
import java.util.Set;
import rlif.models.BadInputException;
import rlif.models.io.OutLock;

/** {@code rlif score}: rollouts with internal signals on a data set, graded, summarised and reported. */
@Command(name = "score", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Generate rollouts on a data set, record their internal signals, grade the answers and"
                + " measure how well each signal predicts correctness (or, with --teacher-forced, score given"
                + " completions). Writes rollouts.jsonl, summary.json and report.html to --out; re-running into the"
                + " same --out resumes (docs/cli.md).")
public final class ScoreCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, paramLabel = "DIR", description = "model directory")
    Path model;

    @Option(names = "--data", required = true, paramLabel = "SRC",
            description = "a JSONL file, or arith[:level=N,split=train|test,n=N,seed=S,...]")
    String data;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "output directory")
    Path out;

    @Option(names = "--limit", paramLabel = "N", description = "use the first N problems (default: all)")
    Integer limit;

    @Option(names = "--samples", paramLabel = "K", defaultValue = "1", description = "rollouts per problem (default: ${DEFAULT-VALUE})")
    int samples;

    @Option(names = "--max-new-tokens", paramLabel = "N",
            description = "longest completion (default: 256, or less where the model's context is shorter)")
    Integer maxNewTokens;

    @Option(names = "--temperature", paramLabel = "T", defaultValue = "1.0", description = "sampling temperature, 0 = greedy (default: ${DEFAULT-VALUE})")
    double temperature;

    @Option(names = "--top-k", paramLabel = "K", defaultValue = "0", description = "keep the K most likely tokens, 0 = off (default: ${DEFAULT-VALUE})")
    int topK;

    @Option(names = "--top-p", paramLabel = "P", defaultValue = "1.0", description = "nucleus sampling mass, 1 = off (default: ${DEFAULT-VALUE})")
    double topP;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "0", description = "sampling seed (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--batch-size", paramLabel = "B", defaultValue = "8", description = "rollouts per engine batch (default: ${DEFAULT-VALUE})")
    int batchSize;

    @Mixin
    DeviceOption device;

    @Option(names = "--threads", paramLabel = "N", defaultValue = "0",
            description = "ONNX Runtime intra-op threads, 0 = its default (default: ${DEFAULT-VALUE})")
    int threads;

    @Option(names = "--kernels", paramLabel = "auto|scalar|vector|tornado", defaultValue = "auto",
            description = "signal kernel backend (default: ${DEFAULT-VALUE})")
    String kernels;

    @Option(names = "--engine", paramLabel = "auto|step|graph", defaultValue = "auto",
            description = "rollout engine: one ONNX Runtime run per token (step) or per batch (graph, the whole"
                    + " generation as one ONNX Loop); auto = graph on cuda, the faster on cpu (default: ${DEFAULT-VALUE})")
    String engine;

    @Option(names = "--prompt-format", paramLabel = "plain|chat", defaultValue = "plain",
            description = "plain text, or the model's chat template (default: ${DEFAULT-VALUE})")
    String promptFormat;

    @Option(names = "--token-signals", description = "also write per-token log-probs, entropies and self-certainties")
    boolean tokenSignals;

    @Option(names = "--teacher-forced", description = "score the completions --data gives (a rollouts.jsonl, or rows with"
            + " completion or completion_ids) instead of generating: their signals at --temperature, in one forward pass")
    boolean teacherForced;

    @Option(names = "--overwrite", description = "replace the results of a different earlier run in --out")
    boolean overwrite;

    @Override
    public Integer call() {
        if (maxNewTokens != null && maxNewTokens < 1) {
            throw new BadInputException("--max-new-tokens must be >= 1, got " + maxNewTokens);
        }
        if (limit != null && limit < 1) {
            throw new BadInputException("--limit must be >= 1, got " + limit);
        }
        ScoreSettings settings = new ScoreSettings(
                model.toAbsolutePath().normalize().toString(),
                ProblemSources.of(data).describe(),
                limit == null ? 0 : limit,
                samples,
                maxNewTokens == null ? ScoreSettings.FIT_MAX_NEW_TOKENS : maxNewTokens,
                temperature,
                topK,
                topP,
                seed,
                batchSize,
                device.name().toLowerCase(Locale.ROOT),
                kernels.toLowerCase(Locale.ROOT),
                promptFormat(promptFormat),
                tokenSignals,
                teacherForced,
                engine.toLowerCase(Locale.ROOT));
        try (OutLock lock = OutLock.acquire(out, "score")) {
            OutLock.requireRunDirectory(out, "score", Set.of(ScoreJob.ROLLOUTS, ScoreJob.SUMMARY));
            ScoreJob.Result result = new ScoreJob(settings, out, overwrite).withThreads(threads).withProgressBar(true)
                    .run();
            print(result, out, System.out);
        }
        return 0;
    }

    private static PromptFormat promptFormat(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "plain" -> PromptFormat.PLAIN;
            case "chat" -> PromptFormat.CHAT;
            default -> throw new BadInputException("--prompt-format must be plain or chat, got '" + name + "'");
        };
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
