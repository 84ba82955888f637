package rlif.spark;

import static org.apache.spark.sql.functions.col;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.api.java.function.MapGroupsFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.CollectionAccumulator;
import rlif.evaluator.compare.Comparison;
import rlif.evaluator.compare.ComparisonReport;
import rlif.evaluator.compare.MultiScoreJob;
import rlif.evaluator.compare.ScoredModel;
import rlif.evaluator.data.Problem;
import rlif.evaluator.report.RolloutRow;
import rlif.evaluator.report.Summary;
import rlif.evaluator.score.ScoreJob;
import rlif.evaluator.score.ScoreSettings;
import rlif.models.BadInputException;
import rlif.models.provenance.ModelDigest;
import rlif.models.provenance.Provenance;
import scala.Tuple2;

/**
 * {@code rlif spark-score}: {@code rlif score} of many models as one Spark job.
 *
 * <p>On the driver: the models and the problems are read and checked (every prompt against every local model)
 * before any task runs. Work units are (model, shard of problems), one Spark partition each; a task scores its
 * unit with the rlif score engine ({@link UnitScorer}) and its rows go to {@code --out/rollouts} as Parquet
 * partitioned by {@code model}, through Spark's output committer, which keeps exactly one attempt's output per
 * unit. Each model's {@code summary.json} is then computed in Spark (one group per model, by the same
 * {@link Summary} as {@code rlif score}), and the comparison from the committed rows.
 *
 * <p>Resume is per model: a model whose {@code --out/<model>/summary.json} is complete with the same settings
 * is not generated again; the others are (re)generated whole, replacing only their own partitions.
 */
public final class SparkScoreJob {
    /** The Parquet directory under {@code --out}, partitioned by {@code model=<name>}. */
    public static final String ROLLOUTS = "rollouts";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final SparkSession spark;
    private final List<String> modelArgs;
    private final ScoreSettings settings;
    private final String out;
    private final boolean overwrite;
    private int shardSize;
    private int sessionsPerExecutor = 2;
    private int threads;
    private boolean progress;
    private int failOnceUnit = -1;

    /**
     * {@code settings} apply to every model (their {@code model} is replaced per model); their {@code data} is
     * what {@link SparkData#describe} made of {@code --data}.
     */
    public SparkScoreJob(SparkSession spark, List<String> modelArgs, ScoreSettings settings, String out, boolean overwrite) {
        this.spark = spark;
        this.modelArgs = List.copyOf(modelArgs);
        this.settings = settings;
        this.out = out;
        this.overwrite = overwrite;
    }

    /** Problems per work unit; 0 (the default) picks about two units per core, and any size is aligned to batches. */
    public SparkScoreJob shardSize(int problems) {
        this.shardSize = problems;
        return this;
    }

    /** How many idle ONNX Runtime sessions an executor keeps open for later tasks of the same model. */
    public SparkScoreJob sessionsPerExecutor(int n) {
        this.sessionsPerExecutor = n;
        return this;
    }

    /** ONNX Runtime intra-op threads of each executor session; 0 (the default) lets ONNX Runtime choose. */
    public SparkScoreJob withThreads(int n) {
        if (n < 0) {
            throw new BadInputException("--threads must be >= 0, got " + n);
        }
        this.threads = n;
        return this;
    }

    public SparkScoreJob withProgressBar(boolean on) {
        this.progress = on;
        return this;
    }

    /** Test hook: the first attempt of work unit {@code unit} fails after its first batch, as a lost executor would. */
    SparkScoreJob failFirstAttemptOf(int unit) {
        this.failOnceUnit = unit;
        return this;
    }

    /**
     * What the job did: the models in order, each one's summary.json, the comparison, which models it generated
     * (the rest were complete already), the work units it ran and the wall time.
     */
    public record Result(List<ScoredModel> models, Map<String, ObjectNode> summaries, ObjectNode comparison,
            List<String> generated, int units, int shardSize, double wallSeconds, ObjectNode phaseSeconds) {}

    /** Wall time of the job's phases, for the cost model of docs/scale.md. */
    private static final class Phases {
        final ObjectNode json = JSON.createObjectNode();
        long last = System.nanoTime();

        void lap(String name) {
            long now = System.nanoTime();
            json.put(name, (now - last) / 1e9);
            last = now;
        }
    }

    public Result run() {
        long start = System.nanoTime();
        Phases phases = new Phases();
        OutputFiles files = new OutputFiles(out, spark.sparkContext().hadoopConfiguration());
        if (files.isFile()) {
            throw new BadInputException("--out " + out + " is a file; expected a directory (new or from an earlier run)");
        }
        List<ScoredModel> models = SparkModels.resolve(spark.sparkContext().hadoopConfiguration(), modelArgs);
        List<Problem> problems = SparkData.load(spark, settings.data(), settings.limit());
        if (problems.isEmpty()) {
            throw new BadInputException("--data " + settings.data() + " has no problems");
        }
        phases.lap("read_models_and_data");
        // each model's settings; a local model's prompts are checked here and --max-new-tokens fitted as rlif score
        // fits it, while a remote one takes the default and is checked by its executors
        List<ScoreSettings> perModel = new ArrayList<>();
        for (ScoredModel m : models) {
            ScoreSettings mine = settings.withModel(m.location());
            if (SparkData.isLocal(m.location())) {
                perModel.add(MultiScoreJob.checkPrompts(mine, new ListedProblems(problems)));
            } else {
                perModel.add(mine.maxNewTokens() == ScoreSettings.FIT_MAX_NEW_TOKENS
                        ? mine.withMaxNewTokens(ScoreSettings.DEFAULT_MAX_NEW_TOKENS) : mine);
            }
        }
        phases.lap("check_prompts");
        Map<String, JsonNode> previous = new HashMap<>();
        List<Integer> todo = new ArrayList<>();
        for (int i = 0; i < models.size(); i++) {
            ScoredModel m = models.get(i);
            JsonNode earlier = readSummary(files, m);
            String diff = earlier == null ? null : perModel.get(i).firstDifference(earlier.path("settings"));
            if (diff != null && !overwrite) {
                throw new BadInputException("--out " + out + " holds a run of " + m.name() + " with different settings ("
                        + diff + "); pass --overwrite to replace it, or choose another --out");
            }
            if (!overwrite && earlier != null && diff == null && earlier.path("complete").asBoolean(false)) {
                previous.put(m.name(), earlier);
            } else {
                todo.add(i);
            }
        }
        int shard = ShardPlan.shardSize(shardSize, problems.size(), Math.max(1, todo.size()),
                spark.sparkContext().defaultParallelism(), settings.samples(), settings.batchSize());
        List<WorkUnit> units = ShardPlan.units(todo, problems.size(), shard);
        Map<Integer, long[]> generation = units.isEmpty() ? Map.of() : generate(models, perModel, problems, units, files);
        phases.lap("generate");
        // Partition values are model names, which may look like numbers ("12"): keep them strings.
        spark.conf().set("spark.sql.sources.partitionColumnTypeInference.enabled", "false");
        Dataset<Row> rollouts = spark.read().parquet(files.resolve(ROLLOUTS))
                .where(col(RolloutSchema.MODEL).isin(models.stream().map(ScoredModel::name).toArray()));
        Map<String, String> metrics = summariesInSpark(rollouts, settings.samples());
        phases.lap("summarise");
        double wall = (System.nanoTime() - start) / 1e9;
        Map<String, ObjectNode> summaries = new LinkedHashMap<>();
        List<String> generated = new ArrayList<>();
        for (int i = 0; i < models.size(); i++) {
            ScoredModel m = models.get(i);
            ObjectNode s = summary(m, perModel.get(i), metrics.get(m.name()), problems.size(), generation.get(i), previous.get(m.name()),
                    wall, units.size(), shard);
            files.write(m.name() + "/" + ScoreJob.SUMMARY, s.toPrettyString());
            summaries.put(m.name(), s);
            if (todo.contains(i)) {
                generated.add(m.name());
            }
        }
        ObjectNode comparison = compare(models, perModel.get(0), rollouts, files);
        phases.lap("compare");
        return new Result(models, summaries, comparison, generated, units.size(), shard, (System.nanoTime() - start) / 1e9,
                phases.json);
    }

    /** Runs the work units and commits their rows; returns per model {engine nanoseconds, tokens, rows}. */
    private Map<Integer, long[]> generate(List<ScoredModel> models, List<ScoreSettings> perModel, List<Problem> problems,
            List<WorkUnit> units, OutputFiles files) {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Broadcast<JobSpec> spec = jsc.broadcast(new JobSpec(perModel, models, problems, units, threads, sessionsPerExecutor,
                failOnceUnit));
        CollectionAccumulator<long[]> generation = spark.sparkContext().collectionAccumulator("rlif generation");
        String group = "rlif-spark-score-" + UUID.randomUUID();
        spark.sparkContext().setJobGroup(group, "rlif spark-score: rollouts of " + units.size() + " work units", false);
        try (SparkProgress bar = new SparkProgress(spark, units, settings.samples(), group, progress)) {
            // One partition per unit: range(0, n, 1, n) puts id i alone in partition i.
            spark.range(0, units.size(), 1, units.size())
                    .flatMap(new UnitScorer(spec, generation), Encoders.row(RolloutSchema.SCHEMA))
                    .write()
                    .mode(SaveMode.Overwrite)
                    .option("partitionOverwriteMode", "dynamic")
                    .partitionBy(RolloutSchema.MODEL)
                    .parquet(files.resolve(ROLLOUTS));
        } catch (Exception e) {
            // Spark's SparkException (undeclared, so caught as Exception): one line, not the executor's stack trace
            throw TaskFailure.of(e);
        } finally {
            spark.sparkContext().clearJobGroup();
            spec.destroy();
        }
        Map<Integer, long[]> byModel = new HashMap<>();
        for (long[] g : generation.value()) {
            long[] t = byModel.computeIfAbsent((int) g[0], k -> new long[3]);
            t[0] += g[1];
            t[1] += g[2];
            t[2] += g[3];
        }
        return byModel;
    }

    /** Each model's metrics part of summary.json, computed in Spark: one group per model, through {@link Summary}. */
    private static Map<String, String> summariesInSpark(Dataset<Row> rollouts, int samples) {
        List<Tuple2<String, String>> rows = rollouts
                .groupByKey((MapFunction<Row, String>) r -> r.getAs(RolloutSchema.MODEL), Encoders.STRING())
                .mapGroups((MapGroupsFunction<String, Row, Tuple2<String, String>>) (model, it) -> {
                    List<RolloutRow> all = new ArrayList<>();
                    it.forEachRemaining(r -> all.add(RolloutSchema.fromRow(r)));
                    all.sort(ROW_ORDER);
                    ObjectNode o = JSON.createObjectNode();
                    new Summary(all, samples).writeTo(o);
                    return new Tuple2<>(model, o.toString());
                }, Encoders.tuple(Encoders.STRING(), Encoders.STRING()))
                .collectAsList();
        Map<String, String> byModel = new HashMap<>();
        rows.forEach(t -> byModel.put(t._1(), t._2()));
        return byModel;
    }

    /** The order of rollouts.jsonl: by problem, then sample. */
    private static final Comparator<RolloutRow> ROW_ORDER =
            Comparator.comparingInt(RolloutRow::promptIndex).thenComparingInt(RolloutRow::sample);

    /** summary.json as rlif score writes it, with the throughput of this job's generation (or an earlier one's). */
    private ObjectNode summary(ScoredModel m, ScoreSettings modelSettings, String metricsJson, int problems, long[] generation, JsonNode previous,
            double wall, int units, int shard) {
        ObjectNode o = JSON.createObjectNode();
        o.set("settings", modelSettings.toJson());
        ObjectNode metrics;
        try {
            metrics = (ObjectNode) JSON.readTree(metricsJson == null ? "{}" : metricsJson);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        o.put("complete", metrics.path("counts").path("rollouts").asLong() == (long) problems * settings.samples());
        // what made these files, as rlif score stamps them; a remote model is not read on the driver to hash it
        String digest = SparkData.isLocal(m.location()) ? ModelDigest.of(java.nio.file.Path.of(m.location())) : null;
        o.set("provenance", JSON.valueToTree(Provenance.now(digest).toMap()));
        o.setAll(metrics);
        if (generation == null && previous != null) {
            o.set("throughput", previous.get("throughput"));
            o.put("resumed_rollouts", metrics.path("counts").path("rollouts").asLong());
        } else {
            long[] g = generation == null ? new long[3] : generation;
            ObjectNode t = o.putObject("throughput");
            t.put("rollouts", g[2]);
            t.put("tokens", g[1]);
            t.put("generation_seconds", g[0] / 1e9);
            if (g[0] > 0) {
                t.put("tokens_per_second", g[1] / (g[0] / 1e9));
            } else {
                t.putNull("tokens_per_second");
            }
            o.put("resumed_rollouts", 0);
        }
        o.put("wall_seconds", wall);
        ObjectNode sparkInfo = o.putObject("spark");
        sparkInfo.put("master", spark.sparkContext().master());
        sparkInfo.put("work_units", units);
        sparkInfo.put("shard_problems", shard);
        sparkInfo.put("rollouts", out + "/" + ROLLOUTS + "/" + RolloutSchema.MODEL + "=" + m.name());
        return o;
    }

    /** comparison.json and comparison.html from the committed rows, one model at a time. */
    private ObjectNode compare(List<ScoredModel> models, ScoreSettings baseline, Dataset<Row> rollouts, OutputFiles files) {
        Comparison comparison = new Comparison(settings.samples());
        Dataset<Row> slim = rollouts.select("prompt_index", "id", "sample", "finish_reason", "num_tokens",
                "token_entropy", "self_certainty", "trajectory_entropy", "sum_logprob", "answer", "reference", "correct",
                RolloutSchema.MODEL);
        for (ScoredModel m : models) {
            List<RolloutRow> rows = new ArrayList<>();
            for (Row r : slim.where(col(RolloutSchema.MODEL).equalTo(m.name())).collectAsList()) {
                rows.add(RolloutSchema.fromRow(r));
            }
            rows.sort(ROW_ORDER);
            comparison.add(m, rows);
        }
        ObjectNode json = comparison.toJson(MultiScoreJob.sharedSettings(baseline.toJson()));
        files.write(MultiScoreJob.COMPARISON_JSON, json.toPrettyString());
        try {
            java.nio.file.Path html = Files.createTempFile("rlif-comparison-", ".html");
            ComparisonReport.write(html, json);
            files.write(MultiScoreJob.COMPARISON_HTML, Files.readString(html));
            Files.deleteIfExists(html);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot write " + MultiScoreJob.COMPARISON_HTML + ": " + e.getMessage(), e);
        }
        return json;
    }

    private static JsonNode readSummary(OutputFiles files, ScoredModel m) {
        String text = files.read(m.name() + "/" + ScoreJob.SUMMARY);
        if (text == null) {
            return null;
        }
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new BadInputException(files.resolve(m.name() + "/" + ScoreJob.SUMMARY)
                    + " is not valid JSON; pass --overwrite to start afresh", e);
        }
    }
}
