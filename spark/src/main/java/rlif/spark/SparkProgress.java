package rlif.spark;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.ExceptionFailure;
import org.apache.spark.Success$;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.SparkSession;
import rlif.models.progress.Progress;
import rlif.models.progress.ProgressSink;

/**
 * Progress of the generating stage on stderr, in rollouts with rate and ETA, from Spark's own task events:
 * a work unit counts when its task succeeds. A failed attempt is one line saying Spark retries it (bad input
 * is left to the job's one error line).
 */
final class SparkProgress extends SparkListener implements AutoCloseable {
    private final SparkSession spark;
    private final List<WorkUnit> units;
    private final int samples;
    private final String jobGroup;
    private final ProgressSink sink;
    private final Progress bar;
    private final Set<Integer> stages = ConcurrentHashMap.newKeySet();

    SparkProgress(SparkSession spark, List<WorkUnit> units, int samples, String jobGroup, boolean show) {
        this.spark = spark;
        this.units = units;
        this.samples = samples;
        this.jobGroup = jobGroup;
        long total = units.stream().mapToLong(u -> (long) u.problems() * samples).sum();
        this.sink = show ? ProgressSink.stderr() : ProgressSink.off();
        this.bar = sink.bar("spark-score", total, "rollouts");
        spark.sparkContext().addSparkListener(this);
    }

    @Override
    public void onJobStart(SparkListenerJobStart start) {
        if (jobGroup.equals(start.properties().getProperty("spark.jobGroup.id"))) {
            scala.jdk.javaapi.CollectionConverters.asJava(start.stageIds()).forEach(id -> stages.add((Integer) id));
        }
    }

    @Override
    public void onTaskEnd(SparkListenerTaskEnd end) {
        if (!stages.contains(end.stageId())) {
            return;
        }
        int index = end.taskInfo().index();
        if (end.reason() == Success$.MODULE$) {
            if (index < units.size()) {
                bar.step((long) units.get(index).problems() * samples);
            }
        } else if (end.reason() instanceof ExceptionFailure f && !f.className().endsWith("BadInputException")) {
            sink.line(String.format(java.util.Locale.ROOT, "spark-score: work unit %d failed on attempt %d (%s: %s);"
                    + " Spark retries it if it may", index, end.taskInfo().attemptNumber() + 1, f.className(), f.description()));
        }
    }

    @Override
    public void close() {
        spark.sparkContext().removeSparkListener(this);
        bar.close();
    }
}
