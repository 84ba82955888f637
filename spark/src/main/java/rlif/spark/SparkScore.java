package rlif.spark;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import rlif.cli.ComparisonTable;
import rlif.cli.Rlif;
import rlif.cli.ScoreFlags;
import rlif.evaluator.compare.MultiScoreJob;
import rlif.models.BadInputException;
import rlif.models.io.OutLock;

/**
 * {@code rlif spark-score}: the score job on Apache Spark. {@code bin/rlif spark-score} runs it in this JVM
 * with an embedded {@code local[*]} master; {@code spark-submit --class rlif.spark.SparkScore rlif-spark.jar}
 * runs it on a cluster (docs/scale.md).
 */
@Command(name = "spark-score", mixinStandardHelpOptions = true, sortOptions = false, version = "rlif spark-score 0.1.0",
        description = "Score many models on Apache Spark: work units of (model, shard of problems), rollouts as"
                + " Parquet partitioned by model under --out/rollouts, each model's summary.json, and"
                + " comparison.json/html against the first model. Embedded local[*] unless --master or spark-submit"
                + " says otherwise (docs/scale.md).")
public final class SparkScore implements Callable<Integer> {
    @Option(names = "--model", required = true, arity = "1..*", paramLabel = "DIR",
            description = "model directories on any Hadoop file system (a local path, hdfs://..., s3a://...), or a"
                    + " quoted glob such as 'run/checkpoints/step-*'; the first is the baseline")
    List<String> models;

    @Mixin
    ScoreFlags flags;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "output directory (local or Hadoop URI)")
    String out;

    @Option(names = "--master", paramLabel = "URL",
            description = "Spark master (default: the one spark-submit set, else local[*])")
    String master;

    @Option(names = "--shard-size", paramLabel = "N", defaultValue = "0",
            description = "problems per work unit, rounded up to whole batches (default: about two units per core)")
    int shardSize;

    @Option(names = "--sessions-per-executor", paramLabel = "N", defaultValue = "2",
            description = "ONNX Runtime sessions an executor keeps open between tasks (default: ${DEFAULT-VALUE})")
    int sessionsPerExecutor;

    @Option(names = "--conf", paramLabel = "KEY=VALUE", description = "a Spark setting, as spark-submit --conf takes it")
    List<String> conf = new ArrayList<>();

    @Option(names = "--overwrite", description = "regenerate every model, replacing an earlier run's results in --out")
    boolean overwrite;

    @Option(names = "--verbose", description = "print stack traces of errors")
    boolean verbose;

    public static void main(String[] args) {
        Rlif.exit(new CommandLine(new SparkScore()), args);
    }

    @Override
    public Integer call() {
        if (sessionsPerExecutor < 1) {
            throw new BadInputException("--sessions-per-executor must be >= 1, got " + sessionsPerExecutor);
        }
        var settings = flags.settings("", SparkData.describe(flags.data()), false);
        // one run per --out at a time, as for every rlif command; a remote --out is left to its file system
        try (OutLock lock = SparkData.isLocal(out) ? OutLock.acquire(localOut(), "spark-score") : null) {
            if (lock != null) {
                OutLock.requireRunDirectory(localOut(), "spark-score", Set.of(SparkScoreJob.ROLLOUTS,
                        MultiScoreJob.COMPARISON_JSON, MultiScoreJob.COMPARISON_HTML));
            }
            return run(settings);
        }
    }

    private java.nio.file.Path localOut() {
        java.net.URI uri = java.net.URI.create(out.replace(" ", "%20"));
        return uri.getScheme() == null ? java.nio.file.Path.of(out) : java.nio.file.Path.of(uri);
    }

    private int run(rlif.evaluator.score.ScoreSettings settings) {
        boolean created = SparkSession.getActiveSession().isEmpty() && SparkSession.getDefaultSession().isEmpty();
        long t0 = System.nanoTime();
        SparkSession spark = session();
        double startSeconds = (System.nanoTime() - t0) / 1e9;
        try {
            SparkScoreJob.Result r = new SparkScoreJob(spark, models, settings, out, overwrite).shardSize(shardSize)
                    .sessionsPerExecutor(sessionsPerExecutor).withThreads(sessionThreads()).withProgressBar(true).run();
            System.out.printf(Locale.ROOT, "%-22s %.1f s to start the Spark session%n", "spark start", startSeconds);
            print(r, spark.sparkContext().master(), System.out);
            return 0;
        } finally {
            if (created) {
                spark.stop();
            }
        }
    }

    /**
     * ONNX Runtime threads per session: {@code --threads}, or 1 when it is 0. Spark runs one task per core, and
     * two sessions that each spin a thread per core on the same cores slowed the generating stage 1.7x here.
     */
    private int sessionThreads() {
        return flags.threads() == 0 ? 1 : flags.threads();
    }

    private SparkSession session() {
        SparkSession.Builder b = SparkSession.builder().appName("rlif spark-score");
        SparkConf defaults = new SparkConf();
        if (master != null) {
            b.master(master);
        } else if (!defaults.contains("spark.master")) {
            b.master("local[*]");
            // embedded on one machine: no web UI to serve, and rlif's own progress bar instead of Spark's
            b.config("spark.ui.enabled", "false");
        }
        b.config("spark.ui.showConsoleProgress", "false");
        for (String kv : conf) {
            int eq = kv.indexOf('=');
            if (eq <= 0) {
                throw new BadInputException("--conf takes KEY=VALUE, got '" + kv + "'");
            }
            b.config(kv.substring(0, eq), kv.substring(eq + 1));
        }
        return b.getOrCreate();
    }

    static void print(SparkScoreJob.Result r, String master, PrintStream o) {
        o.printf(Locale.ROOT, "%-22s %s, %d work units of %d problems; generated %s%n", "spark", master, r.units(),
                r.shardSize(), r.generated().isEmpty() ? "nothing (every model was complete)" : String.join(", ", r.generated()));
        for (var e : r.summaries().entrySet()) {
            ObjectNode s = e.getValue();
            o.printf(Locale.ROOT, "%-22s %d rollouts, accuracy %s, %s tokens/s%n", e.getKey(),
                    s.at("/counts/rollouts").asInt(), num(s.get("accuracy")), num(s.at("/throughput/tokens_per_second")));
        }
        o.println();
        ComparisonTable.print(r.comparison(), r.summaries().isEmpty() ? "" : r.summaries().values().iterator().next()
                .at("/spark/rollouts").asText().replaceAll("/rollouts/model=.*$", ""), o);
        StringBuilder phases = new StringBuilder();
        r.phaseSeconds().fields().forEachRemaining(e -> phases.append(phases.isEmpty() ? "" : ", ").append(e.getKey())
                .append(' ').append(String.format(Locale.ROOT, "%.1f", e.getValue().asDouble())));
        o.printf(Locale.ROOT, "%-22s %.1f s (%s)%n", "wall time", r.wallSeconds(), phases);
    }

    private static String num(com.fasterxml.jackson.databind.JsonNode n) {
        return n == null || !n.isNumber() ? "n/a" : String.format(Locale.ROOT, "%.4f", n.asDouble());
    }
}
