package rlif.evaluator.score;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import rlif.evaluator.data.ProblemSources;
import rlif.evaluator.report.HtmlReport;
import rlif.evaluator.report.RolloutRow;
import rlif.evaluator.report.RolloutsFile;
import rlif.evaluator.report.Summary;
import rlif.evaluator.rollout.Device;
import rlif.evaluator.rollout.EngineOptions;
import rlif.models.BadInputException;
import rlif.models.dir.ModelDirectory;
import rlif.models.io.AtomicFiles;
import rlif.models.progress.Phase;
import rlif.models.progress.Progress;
import rlif.models.progress.ProgressSink;
import rlif.models.provenance.ModelDigest;
import rlif.models.provenance.Provenance;
import rlif.models.tokenizer.ModelTokenizer;

/**
 * {@code rlif score}: data set -> prompts -> rollout engine -> grader -> {@code rollouts.jsonl},
 * {@code summary.json} and {@code report.html} in {@code --out}.
 *
 * <p>Everything the user handed over (model directory, data rows, prompt ids against the vocabulary,
 * {@code --out}) is checked before any output file is touched or any session runs. The rows come from a
 * {@link RowProducer}: {@link GeneratedRows}, or {@link TeacherForcedRows} under {@code --teacher-forced}; this
 * class owns {@code --out} (checking a previous run's settings, resuming it, appending and flushing rows as
 * they come), the progress bar and the summary.
 */
public final class ScoreJob {
    public static final String ROLLOUTS = "rollouts.jsonl";
    public static final String SUMMARY = "summary.json";
    public static final String REPORT = "report.html";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** As given, then as the row producer resolved them (e.g. {@code --max-new-tokens}) once the data is known. */
    private ScoreSettings settings;
    private final Path out;
    private final boolean overwrite;
    private ProgressSink progress = ProgressSink.off();
    private int threads;
    private long stopAfterNewRows = Long.MAX_VALUE;
    /** What made this run's files: version, commit, date, command, model digest. */
    private ObjectNode provenance;
    /** The throughput an earlier run recorded, kept when this invocation generates nothing new. */
    private JsonNode previousThroughput;

    public ScoreJob(ScoreSettings settings, Path out, boolean overwrite) {
        this.settings = settings;
        this.out = out;
        this.overwrite = overwrite;
    }

    /** Shows a status line per slow phase and a progress bar with rate and ETA on stderr. */
    public ScoreJob withProgressBar(boolean on) {
        this.progress = on ? ProgressSink.stderr() : ProgressSink.off();
        return this;
    }

    /** ONNX Runtime intra-op threads of the session; 0 (the default) lets ONNX Runtime choose. */
    public ScoreJob withThreads(int threads) {
        if (threads < 0) {
            throw new BadInputException("--threads must be >= 0, got " + threads);
        }
        this.threads = threads;
        return this;
    }

    /** Test hook: stop as if killed once this many new rows are written. */
    ScoreJob stopAfterNewRows(long rows) {
        this.stopAfterNewRows = rows;
        return this;
    }

    /** What a finished run produced. */
    public record Result(ObjectNode summary, int problems, int resumedRows, int newRows, long droppedBytes) {}

    /** Thrown by the {@link #stopAfterNewRows} hook. */
    static final class Stopped extends RuntimeException {
        Stopped() {
            super("stopped by the row limit hook", null, false, false);
        }
    }

    public Result run() {
        long startNanos = System.nanoTime();
        if (Files.exists(out) && !Files.isDirectory(out)) {
            throw new BadInputException("--out " + out + " is a file; expected a directory (new or from an earlier run)");
        }
        Phases phases = new Phases(startNanos);
        phases.begin("opening model " + settings.model());
        ModelDirectory model = ModelDirectory.open(Path.of(settings.model()));
        Device device = Device.parse(settings.device());
        try (ModelTokenizer tokenizer = model.tokenizerFile().isPresent() ? model.openTokenizer() : null) {
            RowProducer producer = producer(model, device, tokenizer);
            phases.lap("open_model");
            phases.begin("hashing the model's files for the provenance stamp");
            provenance = JSON.valueToTree(Provenance.now(ModelDigest.of(model.dir())).toMap());
            phases.lap("digest_model");
            phases.begin("checking the prompts of " + settings.data());
            WorkPlan plan = producer.check();
            settings = producer.settings();
            phases.lap("check_prompts");
            BitSet done = new BitSet();
            long validBytes = inspectOut(plan, done);
            int resumed = done.cardinality();
            Writer writer = new Writer(done);
            long dropped;
            if (resumed < plan.rows()) {
                // The session (and kernel backend) open before --out is touched: a model or device ONNX Runtime
                // refuses must not leave a half-prepared output directory behind.
                phases.begin("starting the ONNX Runtime session");
                try (RowProducer.Engine engine = producer.open()) {
                    phases.lap("open_session");
                    // The first batch's one-off costs (kernel JIT, ORT's first-run allocations) are a phase of their
                    // own, not generation time.
                    engine.warmUp();
                    phases.lap("warm_up");
                    dropped = readyOut(validBytes);
                    writeSummary(runningSummary(plan, resumed));
                    try (RolloutsFile rows = RolloutsFile.append(out.resolve(ROLLOUTS));
                            Progress bar = progress.bar("score", plan.rows(), "rollouts", resumed)) {
                        writer.start(rows, bar);
                        engine.produce(done, writer);
                    }
                    phases.lap(producer.phase());
                }
            } else {
                dropped = readyOut(validBytes);
            }
            phases.begin("summarising into " + SUMMARY + " and " + REPORT);
            List<RolloutRow> all = new ArrayList<>();
            RolloutsFile.read(out.resolve(ROLLOUTS), all::add);
            ObjectNode summary = finalSummary(all, plan, resumed, writer, producer.engineSecondsKey(), startNanos);
            HtmlReport.write(out.resolve(REPORT), summary, all);
            phases.lap("summarise");
            summary.set("phase_seconds", phases.json);
            writeSummary(summary);
            return new Result(summary, plan.problems(), resumed, writer.rows, dropped);
        }
    }

    /** Generation, or teacher forcing of the completions the data gives. */
    private RowProducer producer(ModelDirectory model, Device device, ModelTokenizer tokenizer) {
        return RowProducer.of(settings, model, options(device), () -> ProblemSources.of(settings.data()), tokenizer,
                progress);
    }

    private EngineOptions options(Device device) {
        return EngineOptions.defaults().withDevice(device).withThreads(threads);
    }

    /**
     * Looks at {@code --out} without changing it: a previous run must have had the same settings (unless
     * {@code --overwrite}); its rows are marked done. Returns the byte length of its whole rows.
     */
    private long inspectOut(WorkPlan plan, BitSet done) {
        Path rollouts = out.resolve(ROLLOUTS);
        Path summary = out.resolve(SUMMARY);
        if (overwrite) {
            return 0;
        }
        if (Files.exists(summary)) {
            JsonNode previous;
            try {
                JsonNode old = JSON.readTree(summary.toFile());
                previous = old.path("settings");
                previousThroughput = old.get("throughput");
            } catch (IOException e) {
                throw new BadInputException(summary + " is not valid JSON; pass --overwrite to start afresh", e);
            }
            String diff = settings.firstDifference(previous);
            if (diff != null) {
                throw new BadInputException("--out " + out + " holds a run with different settings (" + diff
                        + "); pass --overwrite to replace it, or choose another --out");
            }
        } else if (Files.exists(rollouts)) {
            throw new BadInputException("--out " + out + " has " + ROLLOUTS + " but no " + SUMMARY
                    + " to check its settings against; pass --overwrite to replace it");
        }
        return RolloutsFile.read(rollouts, row -> {
            int index = plan.index(row.promptIndex(), row.sample());
            if (index < 0) {
                throw new BadInputException(rollouts + " has a row (prompt_index " + row.promptIndex() + ", sample "
                        + row.sample() + ") outside this run; pass --overwrite to replace it");
            }
            done.set(index);
        });
    }

    /**
     * Makes {@code --out} ready to append to: creates it, removes a replaced run's files under
     * {@code --overwrite}, or cuts a torn last line off the previous rows. Returns the bytes cut off.
     */
    private long readyOut(long validBytes) {
        Path rollouts = out.resolve(ROLLOUTS);
        try {
            Files.createDirectories(out);
        } catch (IOException e) {
            throw new BadInputException("cannot create --out " + out + ": " + e.getMessage(), e);
        }
        try {
            if (overwrite) {
                Files.deleteIfExists(rollouts);
                Files.deleteIfExists(out.resolve(SUMMARY));
                Files.deleteIfExists(out.resolve(REPORT));
                return 0;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot replace the previous run in --out " + out + ": " + e.getMessage(), e);
        }
        return Files.exists(rollouts) ? RolloutsFile.repair(rollouts, validBytes) : 0;
    }

    /**
     * Wall time per phase of this invocation, for users asking where the time went ({@code phase_seconds}),
     * and a status line for each slow phase while it runs.
     */
    private final class Phases {
        final ObjectNode json = JSON.createObjectNode();
        long last;
        Phase shown;

        Phases(long start) {
            last = start;
        }

        void begin(String what) {
            end();
            shown = progress.phase(what);
        }

        void lap(String name) {
            long now = System.nanoTime();
            json.put(name, (now - last) / 1e9);
            last = now;
            end();
        }

        private void end() {
            if (shown != null) {
                shown.close();
                shown = null;
            }
        }
    }

    private ObjectNode runningSummary(WorkPlan plan, int resumed) {
        ObjectNode o = JSON.createObjectNode();
        o.set("settings", settings.toJson());
        o.put("complete", false);
        o.put("problems", plan.problems());
        o.put("resumed_rollouts", resumed);
        o.set("provenance", provenance);
        return o;
    }

    private ObjectNode finalSummary(List<RolloutRow> all, WorkPlan plan, int resumed, Writer totals, String engineSeconds,
            long startNanos) {
        ObjectNode o = JSON.createObjectNode();
        o.set("settings", settings.toJson());
        o.put("complete", all.size() == plan.rows());
        o.set("provenance", provenance);
        new Summary(all, plan.samplesPerProblem()).writeTo(o);
        if (totals.rows == 0 && previousThroughput != null) {
            o.set("throughput", previousThroughput);
            o.put("resumed_rollouts", resumed);
            o.put("wall_seconds", (System.nanoTime() - startNanos) / 1e9);
            return o;
        }
        ObjectNode t = o.putObject("throughput");
        t.put("intra_op_threads", threads);
        t.put("rollouts", totals.rows);
        t.put("tokens", totals.tokens);
        t.put(engineSeconds, totals.nanos / 1e9);
        if (totals.nanos > 0) {
            t.put("tokens_per_second", totals.tokens / (totals.nanos / 1e9));
        } else {
            t.putNull("tokens_per_second");
        }
        o.put("resumed_rollouts", resumed);
        o.put("wall_seconds", (System.nanoTime() - startNanos) / 1e9);
        return o;
    }

    /**
     * Appends the producer's rows to {@code rollouts.jsonl} as they come, marks them done, counts rows, tokens
     * and engine time for the throughput, and steps the progress bar.
     */
    private final class Writer implements RowProducer.RowSink {
        private final BitSet done;
        private RolloutsFile file;
        private Progress bar;
        int rows;
        long tokens;
        long nanos;

        Writer(BitSet done) {
            this.done = done;
        }

        void start(RolloutsFile file, Progress bar) {
            this.file = file;
            this.bar = bar;
        }

        @Override
        public void write(int index, RolloutRow row) {
            if (rows >= stopAfterNewRows) {
                throw new Stopped();
            }
            file.write(row);
            done.set(index);
            rows++;
            tokens += row.numTokens();
            bar.step();
        }

        @Override
        public void engineNanos(long n) {
            nanos += n;
        }
    }

    private void writeSummary(ObjectNode summary) {
        AtomicFiles.write(out.resolve(SUMMARY), stream -> stream.write(JSON.writeValueAsBytes(summary)));
    }
}
