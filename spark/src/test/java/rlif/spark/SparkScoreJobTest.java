package rlif.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.ExceptionFailure;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import rlif.cli.CliRun;
import rlif.evaluator.compare.ModelPatterns;
import rlif.evaluator.compare.MultiScoreJob;
import rlif.evaluator.data.Problem;
import rlif.evaluator.data.ProblemSource;
import rlif.evaluator.data.ProblemSources;
import rlif.evaluator.prompt.PromptFormat;
import rlif.evaluator.report.RolloutRow;
import rlif.evaluator.score.ScoreJob;
import rlif.evaluator.score.ScoreSettings;
import rlif.models.BadInputException;

/**
 * spark-score in local mode on the committed arith models, against {@code rlif score}'s own job on the same
 * inputs: the same rows, summaries and comparison; two models times two shards; a task that fails once; resume;
 * Parquet input; bad input. One SparkSession ({@code local[2,2]}: two cores, a failed task tried twice) serves
 * every test, to keep the module's CI time small.
 */
class SparkScoreJobTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The metric parts of summary.json; the rest (timing, throughput, the spark block) may differ. */
    private static final List<String> METRICS = List.of("settings", "complete", "counts", "accuracy", "accuracy_stderr",
            "accuracy_ci95", "pass_at_k", "pass_at_k_stderr", "pass_at_k_ci95", "maj_at_k", "maj_at_k_stderr",
            "maj_at_k_ci95", "signals", "auroc", "auroc_stderr", "auroc_ci95", "intervals", "num_tokens");

    @TempDir
    static Path tmp;

    static SparkSession spark;
    static Path jsonl;
    static ScoreSettings settings;
    static Path local;
    static Path sparkOut;
    static SparkScoreJob.Result first;

    static String committed(String name) {
        Path p = Path.of("..", "models", name).toAbsolutePath().normalize();
        assertThat(p.resolve("model.onnx")).as("the committed model %s is missing", p).exists();
        return p.toString();
    }

    @BeforeAll
    static void scoreLocallyAndOnSpark() throws IOException {
        spark = SparkSession.builder().master("local[2,2]").appName("rlif spark-score test")
                .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false")
                .config("spark.sql.shuffle.partitions", "2").getOrCreate();
        // 8 arith problems as a JSONL file, so the Spark job reads a data set file as a user's would
        jsonl = tmp.resolve("arith.jsonl");
        List<String> lines = new ArrayList<>();
        try (ProblemSource.Problems it = ProblemSources.of("arith:level=1,steps=2,split=test,n=8").open()) {
            while (it.hasNext()) {
                Problem p = it.next();
                lines.add(JSON.createObjectNode().put("id", "q" + p.index()).put("prompt", p.promptText())
                        .put("answer", p.solution()).toString());
            }
        }
        Files.write(jsonl, lines);
        // per-token signals on, so the rows compared below include their arrays
        settings = new ScoreSettings("", jsonl.toString(), 0, 2, 40, 1.0, 0, 1.0, 5, 4, "cpu", "auto",
                PromptFormat.PLAIN, true);
        List<String> models = List.of(committed("arith-base"), committed("arith-instruct"));
        local = tmp.resolve("local");
        new MultiScoreJob(ModelPatterns.expand(models), settings, local, false).run();
        sparkOut = tmp.resolve("spark");
        // 8 problems x 2 samples in batches of 4: shards of 4 problems are two whole batches each
        first = new SparkScoreJob(spark, models, settings, sparkOut.toString(), false).shardSize(4).run();
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    static List<String> sparkRows(Path out, String model) {
        List<String> lines = new ArrayList<>();
        for (Row r : spark.read().parquet(out.resolve(SparkScoreJob.ROLLOUTS).resolve("model=" + model).toString())
                .collectAsList()) {
            lines.add(RolloutSchema.fromRow(r).toJsonLine());
        }
        return lines;
    }

    static List<String> localRows(String model) throws IOException {
        return Files.readAllLines(local.resolve(model).resolve(ScoreJob.ROLLOUTS));
    }

    static JsonNode read(Path file) throws IOException {
        return JSON.readTree(file.toFile());
    }

    @Test
    void twoModelsTimesTwoShardsWriteTheRowsRlifScoreWrites() throws IOException {
        assertThat(first.units()).isEqualTo(4);
        assertThat(first.shardSize()).isEqualTo(4);
        assertThat(first.generated()).containsExactly("arith-base", "arith-instruct");
        for (String model : List.of("arith-base", "arith-instruct")) {
            List<String> mine = localRows(model);
            assertThat(mine).hasSize(16);
            // every field of every row, as rollouts.jsonl text, in rlif score's order
            assertThat(sortedByProblemAndSample(sparkRows(sparkOut, model))).containsExactlyElementsOf(mine);
        }
    }

    @Test
    void eachModelsSummaryIsRlifScoresAndSoIsTheComparison() throws IOException {
        for (String model : List.of("arith-base", "arith-instruct")) {
            JsonNode mine = read(local.resolve(model).resolve(ScoreJob.SUMMARY));
            JsonNode theirs = read(sparkOut.resolve(model).resolve(ScoreJob.SUMMARY));
            for (String field : METRICS) {
                assertThat(theirs.get(field)).as("%s %s", model, field).isEqualTo(mine.get(field));
            }
            assertThat(theirs.at("/throughput/rollouts").asInt()).isEqualTo(16);
            assertThat(theirs.at("/spark/work_units").asInt()).isEqualTo(4);
        }
        assertThat(read(sparkOut.resolve(MultiScoreJob.COMPARISON_JSON)))
                .isEqualTo(read(local.resolve(MultiScoreJob.COMPARISON_JSON)));
        assertThat(sparkOut.resolve(MultiScoreJob.COMPARISON_HTML)).exists();
    }

    @Test
    void aTaskThatFailsOnceIsRetriedAndEveryRolloutAppearsOnce() throws Exception {
        AtomicInteger failures = new AtomicInteger();
        SparkListener counter = new SparkListener() {
            @Override
            public void onTaskEnd(SparkListenerTaskEnd end) {
                if (end.reason() instanceof ExceptionFailure f && f.description().contains("test hook")) {
                    failures.incrementAndGet();
                }
            }
        };
        spark.sparkContext().addSparkListener(counter);
        Path out = tmp.resolve("retried");
        try {
            // one model, two units of two batches each; the second unit's first attempt dies after its first batch
            new SparkScoreJob(spark, List.of(committed("arith-base")), settings, out.toString(), false).shardSize(4)
                    .failFirstAttemptOf(1).run();
            // the listener bus delivers asynchronously (waitUntilEmpty is Scala package-private, public in bytecode)
            spark.sparkContext().listenerBus().waitUntilEmpty();
        } finally {
            spark.sparkContext().removeSparkListener(counter);
        }
        assertThat(failures.get()).as("attempts the test hook failed").isEqualTo(1);
        Set<List<Object>> keys = new HashSet<>();
        int rows = 0;
        for (Row r : spark.read().parquet(out.resolve(SparkScoreJob.ROLLOUTS).toString()).collectAsList()) {
            keys.add(List.of(r.getAs(RolloutSchema.MODEL), r.getAs("prompt_index"), r.getAs("sample")));
            rows++;
        }
        assertThat(rows).isEqualTo(16);
        assertThat(keys).hasSize(16);
        assertThat(sortedByProblemAndSample(sparkRows(out, "arith-base"))).containsExactlyElementsOf(localRows("arith-base"));
    }

    @Test
    void rerunningResumesEveryCompleteModelWithoutGenerating() throws IOException {
        Path out = tmp.resolve("resumed");
        copy(sparkOut, out);
        SparkScoreJob.Result again = new SparkScoreJob(spark, List.of(committed("arith-base"),
                committed("arith-instruct")), settings, out.toString(), false).shardSize(4).run();
        assertThat(again.generated()).isEmpty();
        assertThat(again.units()).isZero();
        for (String model : List.of("arith-base", "arith-instruct")) {
            JsonNode before = read(sparkOut.resolve(model).resolve(ScoreJob.SUMMARY));
            JsonNode after = read(out.resolve(model).resolve(ScoreJob.SUMMARY));
            for (String field : METRICS) {
                assertThat(after.get(field)).isEqualTo(before.get(field));
            }
            assertThat(after.get("throughput")).isEqualTo(before.get("throughput"));
            assertThat(after.get("resumed_rollouts").asInt()).isEqualTo(16);
        }
    }

    @Test
    void parquetDataGivesTheProblemsOfTheSameRowsAsJsonl() {
        Path parquet = tmp.resolve("arith.parquet");
        spark.read().json(jsonl.toString()).coalesce(1).write().parquet(parquet.toString());
        List<Problem> fromJsonl = SparkData.load(spark, jsonl.toString(), 0);
        List<Problem> fromParquet = SparkData.load(spark, parquet.toString(), 0);
        assertThat(fromParquet).hasSameSizeAs(fromJsonl);
        for (int i = 0; i < fromJsonl.size(); i++) {
            assertThat(fromParquet.get(i).id()).isEqualTo(fromJsonl.get(i).id());
            assertThat(fromParquet.get(i).promptText()).isEqualTo(fromJsonl.get(i).promptText());
            assertThat(fromParquet.get(i).reference()).isEqualTo(fromJsonl.get(i).reference());
        }
    }

    static CliRun sparkScore(String... args) {
        return CliRun.ofCommand(new SparkScore(), args);
    }

    @Test
    void aMissingModelFailsWithOneLineAndNoStackTrace() {
        Path out = tmp.resolve("missing-model");
        CliRun run = sparkScore("--model", committed("arith-base"), tmp.resolve("nope").toString(), "--data",
                jsonl.toString(), "--max-new-tokens", "40", "--out", out.toString());
        assertThat(run.code()).isEqualTo(2);
        assertThat(run.errorLines()).containsExactly("error: model directory " + tmp.resolve("nope") + " does not exist");
        assertThat(run.err()).doesNotContain("\tat ");
        assertThat(run.out()).isEmpty();
        assertThat(out).doesNotExist();
    }

    @Test
    void aMalformedRowFailsWithOneLineNamingTheFileAndLine() throws IOException {
        Path bad = tmp.resolve("bad.jsonl");
        Files.writeString(bad, "{\"prompt\": \"compute 1 + 2\", \"answer\": \"#### 3\"}\n{\"prompt\": 7}\n");
        CliRun run = sparkScore("--model", committed("arith-base"), "--data", bad.toString(), "--max-new-tokens", "40",
                "--out", tmp.resolve("bad-row").toString());
        assertThat(run.code()).isEqualTo(2);
        assertThat(run.errorLines()).containsExactly("error: " + bad + " line 2, field prompt: must be a string");
        assertThat(run.err()).doesNotContain("\tat ");
        assertThat(run.out()).isEmpty();
    }

    @Test
    void aMalformedParquetRowIsNamedByItsRow() {
        Path bad = tmp.resolve("bad.parquet");
        spark.read().json(jsonl.toString()).selectExpr("id", "CAST(length(prompt) AS INT) AS prompt", "answer")
                .coalesce(1).write().parquet(bad.toString());
        CliRun run = sparkScore("--model", committed("arith-base"), "--data", bad.toString(), "--max-new-tokens", "40",
                "--out", tmp.resolve("bad-parquet").toString());
        assertThat(run.code()).isEqualTo(2);
        assertThat(run.errorLines()).containsExactly("error: " + bad + " row 1, field prompt: must be a string");
    }

    @Test
    void aTaskThatFailsOnEveryAttemptIsOneLineNamingItsCause() {
        // real Spark failures, each on both attempts local[2,2] allows, as the driver receives them
        Throwable bad = catchThrowable(() -> failingJob("bad"));
        assertThat(TaskFailure.of(bad)).isInstanceOf(BadInputException.class)
                .hasMessage("--model m: only this executor could tell");
        Throwable internal = catchThrowable(() -> failingJob("internal"));
        assertThat(internal.getMessage()).contains("\tat ");
        assertThat(TaskFailure.of(internal)).hasMessage(
                "a Spark task failed on every attempt: IllegalArgumentException: the first line");
    }

    /** A two-task job whose second task always throws. */
    private static void failingJob(String kind) {
        spark.range(0, 2, 1, 2).map((MapFunction<Long, Long>) i -> {
            if (i == 1 && kind.equals("bad")) {
                throw new BadInputException("--model m: only this executor could tell");
            }
            if (i == 1) {
                throw new IllegalArgumentException("the first line\nand a second");
            }
            return i;
        }, Encoders.LONG()).collectAsList();
    }

    /** The rows in rlif score's order (problem, then sample), each as its rollouts.jsonl line. */
    private static List<String> sortedByProblemAndSample(List<String> jsonLines) {
        return jsonLines.stream().sorted(java.util.Comparator
                .comparingInt((String l) -> RolloutRow.fromJson(l).promptIndex())
                .thenComparingInt(l -> RolloutRow.fromJson(l).sample())).toList();
    }

    private static void copy(Path from, Path to) throws IOException {
        try (var walk = Files.walk(from)) {
            for (Path p : walk.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
    }
}
