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
import rlif.evaluator.data.Problem;
import rlif.evaluator.data.ProblemSource;
import rlif.evaluator.data.ProblemSources;
import rlif.evaluator.report.HtmlReport;
import rlif.evaluator.report.RolloutRow;
import rlif.evaluator.report.RolloutsFile;
import rlif.evaluator.report.Summary;
import rlif.evaluator.rollout.Rollout;
import rlif.models.BadInputException;
import rlif.models.dir.ModelDirectory;
import rlif.models.io.AtomicFiles;
import rlif.models.progress.Phase;
import rlif.models.progress.Progress;
import rlif.models.progress.ProgressSink;
import rlif.models.provenance.ModelDigest;
import rlif.models.provenance.Provenance;

/**
 * {@code rlif score}: data set -> prompts -> rollout engine -> grader -> {@code rollouts.jsonl},
 * {@code summary.json} and {@code report.html} in {@code --out}.
 *
 * <p>Everything the user handed over (model directory, data rows, prompt ids against the vocabulary,
 * {@code --out}) is checked before any output file is touched or any session runs. Work is the ordered list
 * of (prompt, sample) pairs cut into batches of {@code --batch-size}; rows are appended and flushed as each
 * batch finishes. A resumed run skips batches whose rows are all written and regenerates a partly written
 * batch whole (keeping only its missing rows), so every batch has the same rows as in an uninterrupted run
 * and the file comes out identical.
 */
public final class ScoreJob {
    public static final String ROLLOUTS = "rollouts.jsonl";
    public static final String SUMMARY = "summary.json";
    public static final String REPORT = "report.html";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** As given, then with {@code --max-new-tokens} resolved once the prompts are known. */
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
        ProblemSource source = ProblemSources.of(settings.data());
        try (ScoringModel scoring = ScoringModel.open(settings)) {
            phases.lap("open_model");
            phases.begin("hashing the model's files for the provenance stamp");
            provenance = JSON.valueToTree(Provenance.now(ModelDigest.of(scoring.directory().dir())).toMap());
            phases.lap("digest_model");
            phases.begin("checking the prompts of " + settings.data());
            int problems = checkProblems(source, scoring);
            boolean fitted = settings.maxNewTokens() == ScoreSettings.FIT_MAX_NEW_TOKENS;
            settings = scoring.fitMaxNewTokens();
            if (fitted && settings.maxNewTokens() < ScoreSettings.DEFAULT_MAX_NEW_TOKENS) {
                progress.line(scoring.whyFewerNewTokens());
            }
            checkBatchFitsInMemory(scoring.directory(), Math.min(settings.batchSize(), (long) problems * settings.samples()));
            phases.lap("check_prompts");
            BitSet done = new BitSet();
            long validBytes = inspectOut(problems, done);
            int resumed = done.cardinality();
            GenerationTotals totals = new GenerationTotals();
            long dropped;
            if (resumed < (long) problems * settings.samples()) {
                // The session (and kernel backend) open before --out is touched: a model or device ONNX Runtime
                // refuses must not leave a half-prepared output directory behind.
                phases.begin("starting the ONNX Runtime session");
                scoring.startEngine(threads);
                phases.lap("open_session");
                dropped = readyOut(validBytes);
                writeSummary(runningSummary(problems, resumed));
                try (RolloutsFile rows = RolloutsFile.append(out.resolve(ROLLOUTS));
                        Progress bar = progress.bar("score", (long) problems * settings.samples(), "rollouts", resumed)) {
                    generate(source, scoring, rows, done, bar, totals);
                }
                phases.lap("generate");
            } else {
                dropped = readyOut(validBytes);
            }
            phases.begin("summarising into " + SUMMARY + " and " + REPORT);
            List<RolloutRow> all = new ArrayList<>();
            RolloutsFile.read(out.resolve(ROLLOUTS), all::add);
            ObjectNode summary = finalSummary(all, problems, resumed, totals, startNanos);
            HtmlReport.write(out.resolve(REPORT), summary, all);
            phases.lap("summarise");
            summary.set("phase_seconds", phases.json);
            writeSummary(summary);
            return new Result(summary, problems, resumed, totals.rows, dropped);
        }
    }

    /** First pass: every row parses, encodes and fits the model. Returns the number of problems. */
    private int checkProblems(ProblemSource source, ScoringModel scoring) {
        int n = 0;
        try (ProblemSource.Problems it = source.open()) {
            while (it.hasNext() && (settings.limit() == 0 || n < settings.limit())) {
                scoring.encode(it.next());
                n++;
            }
        }
        if (n == 0) {
            throw new BadInputException("--data " + settings.data() + " has no problems");
        }
        return n;
    }

    /**
     * Looks at {@code --out} without changing it: a previous run must have had the same settings (unless
     * {@code --overwrite}); its rows are marked done. Returns the byte length of its whole rows.
     */
    private long inspectOut(int problems, BitSet done) {
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
            if (row.promptIndex() < 0 || row.promptIndex() >= problems || row.sample() < 0
                    || row.sample() >= settings.samples()) {
                throw new BadInputException(rollouts + " has a row (prompt_index " + row.promptIndex() + ", sample "
                        + row.sample() + ") outside this run; pass --overwrite to replace it");
            }
            done.set(workIndex(row.promptIndex(), row.sample()));
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

    private int workIndex(int promptIndex, int sample) {
        return Math.toIntExact((long) promptIndex * settings.samples() + sample);
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

    /** Rows and tokens generated by this invocation, and the time spent in the engine. */
    private static final class GenerationTotals {
        int rows;
        long tokens;
        long nanos;
    }

    private void generate(ProblemSource source, ScoringModel scoring, RolloutsFile rows, BitSet done, Progress bar,
            GenerationTotals totals) {
        List<RolloutWork> batch = new ArrayList<>();
        int n = 0;
        try (ProblemSource.Problems it = source.open()) {
            while (it.hasNext() && (settings.limit() == 0 || n < settings.limit())) {
                Problem p = it.next();
                n++;
                int[] ids = scoring.encode(p);
                for (int s = 0; s < settings.samples(); s++) {
                    batch.add(new RolloutWork(p, s, ids));
                    if (batch.size() == settings.batchSize()) {
                        runBatch(batch, scoring, rows, done, bar, totals);
                        batch.clear();
                    }
                }
            }
        }
        if (!batch.isEmpty()) {
            runBatch(batch, scoring, rows, done, bar, totals);
        }
    }

    private void runBatch(List<RolloutWork> batch, ScoringModel scoring, RolloutsFile rows, BitSet done, Progress bar,
            GenerationTotals totals) {
        if (batch.stream().allMatch(w -> done.get(workIndex(w.problem().index(), w.sample())))) {
            return;
        }
        long t0 = System.nanoTime();
        List<Rollout> rollouts = scoring.generate(batch);
        totals.nanos += System.nanoTime() - t0;
        for (int i = 0; i < batch.size(); i++) {
            RolloutWork w = batch.get(i);
            if (done.get(workIndex(w.problem().index(), w.sample()))) {
                continue;
            }
            if (totals.rows >= stopAfterNewRows) {
                throw new Stopped();
            }
            Rollout r = rollouts.get(i);
            rows.write(scoring.row(w, r));
            done.set(workIndex(w.problem().index(), w.sample()));
            totals.rows++;
            totals.tokens += r.numTokens();
            bar.step();
        }
    }

    /**
     * Refuses a batch whose host buffers cannot fit before any session starts: the engine holds a batch's
     * step logits (rows x vocab) and per-token signals (rows x max-new-tokens) on the host, and running out of
     * memory halfway through a batch would end the run with an internal error instead of this one line.
     */
    private void checkBatchFitsInMemory(ModelDirectory model, long rows) {
        long vocab = model.config().vocab();
        long logits = rows * vocab * Math.max(4, model.config().logitsType().bytes()); // float signals read as float
        long perToken = rows * settings.maxNewTokens() * (Integer.BYTES + 3L * Double.BYTES);
        long need = logits + perToken;
        long limit = Runtime.getRuntime().maxMemory() / 2; // the rest is for the rows, the tokenizer and the JVM
        if (need > limit) {
            throw new BadInputException("--batch-size " + settings.batchSize() + " needs about " + (need >> 20)
                    + " MB of host memory per batch (logits of " + rows + " rows x " + vocab + " tokens, and per-token "
                    + "signals for --max-new-tokens " + settings.maxNewTokens() + "), over the " + (limit >> 20)
                    + " MB this run allows (half the JVM heap limit); lower --batch-size or raise -Xmx");
        }
    }

    private ObjectNode runningSummary(int problems, int resumed) {
        ObjectNode o = JSON.createObjectNode();
        o.set("settings", settings.toJson());
        o.put("complete", false);
        o.put("problems", problems);
        o.put("resumed_rollouts", resumed);
        o.set("provenance", provenance);
        return o;
    }

    private ObjectNode finalSummary(List<RolloutRow> all, int problems, int resumed, GenerationTotals totals, long startNanos) {
        ObjectNode o = JSON.createObjectNode();
        o.set("settings", settings.toJson());
        o.put("complete", all.size() == (long) problems * settings.samples());
        o.set("provenance", provenance);
        new Summary(all, settings.samples()).writeTo(o);
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
        t.put("generation_seconds", totals.nanos / 1e9);
        if (totals.nanos > 0) {
            t.put("tokens_per_second", totals.tokens / (totals.nanos / 1e9));
        } else {
            t.putNull("tokens_per_second");
        }
        o.put("resumed_rollouts", resumed);
        o.put("wall_seconds", (System.nanoTime() - startNanos) / 1e9);
        return o;
    }

    private void writeSummary(ObjectNode summary) {
        AtomicFiles.write(out.resolve(SUMMARY), stream -> stream.write(JSON.writeValueAsBytes(summary)));
    }
}
