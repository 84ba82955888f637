package rlif.evaluator.score;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import rlif.evaluator.data.ProblemSource;
import rlif.evaluator.report.RolloutRow;
import rlif.evaluator.rollout.Device;
import rlif.evaluator.rollout.EngineOptions;
import rlif.models.BadInputException;
import rlif.models.dir.ModelDirectory;
import rlif.models.progress.ProgressSink;
import rlif.models.tokenizer.ModelTokenizer;

/**
 * {@code rlif score}'s generation ({@link GeneratedRows}) for a runner that owns no {@code --out} of its own,
 * the Spark job: opens a model, checks every problem of the data for it as {@code rlif score} does (resolving
 * a fitted {@code --max-new-tokens}), and generates the rows of a range of problems. A range that starts and
 * ends on a batch boundary runs the very batches {@code rlif score} runs there, so its rows are identical.
 * Under {@code --teacher-forced} it checks the given completions for the model, and scores nothing.
 */
public final class ScoringModel implements AutoCloseable {
    private final ModelTokenizer tokenizer;
    private final RowProducer rows;
    private final WorkPlan plan;
    private RowProducer.Engine engine;
    private long engineNanos;

    private ScoringModel(ModelTokenizer tokenizer, RowProducer rows, WorkPlan plan) {
        this.tokenizer = tokenizer;
        this.rows = rows;
        this.plan = plan;
    }

    /**
     * Opens {@code settings.model()} and checks every problem of {@code source} for it (or, under
     * {@code --teacher-forced}, every completion {@code --data} gives); the session, when {@link #start}ed, runs
     * {@code threads} intra-op threads (0: ONNX Runtime's default). Bad input names the model.
     */
    public static ScoringModel open(ScoreSettings settings, ProblemSource source, int threads) {
        try {
            ModelDirectory model = ModelDirectory.open(Path.of(settings.model()));
            Device device = Device.parse(settings.device());
            ModelTokenizer tokenizer = model.tokenizerFile().isPresent() ? model.openTokenizer() : null;
            try {
                RowProducer rows = RowProducer.of(settings, model,
                        EngineOptions.defaults().withDevice(device).withThreads(threads), () -> source, tokenizer,
                        ProgressSink.off());
                return new ScoringModel(tokenizer, rows, rows.check());
            } catch (RuntimeException e) {
                if (tokenizer != null) {
                    tokenizer.close();
                }
                throw e;
            }
        } catch (BadInputException e) {
            // say which of several models it was, unless the message already does
            throw e.getMessage().contains(settings.model()) ? e
                    : new BadInputException("--model " + settings.model() + ": " + e.getMessage(), e);
        }
    }

    /** The settings in force: as given, with a fitted {@code --max-new-tokens} resolved. */
    public ScoreSettings settings() {
        return rows.settings();
    }

    /** Opens the engine (the ONNX Runtime session and the signal kernels) and warms it up; a no-op when already started. */
    public void start() {
        if (settings().teacherForced()) {
            throw new IllegalStateException("a teacher-forced ScoringModel only checks; rlif score scores it");
        }
        if (engine == null) {
            engine = rows.open();
            // as rlif score does: the kernels' JIT and ONNX Runtime's first runs, outside the engine time
            engine.warmUp();
        }
    }

    /** The rows of problems {@code [from, to)}, every sample, in run order (problem, then sample). */
    public List<RolloutRow> score(int from, int to) {
        if (engine == null) {
            throw new IllegalStateException("start() first");
        }
        int lo = plan.index(from, 0);
        int hi = to >= plan.problems() ? plan.rows() : plan.index(to, 0);
        BitSet done = new BitSet(plan.rows());
        done.set(0, plan.rows());
        done.clear(lo, hi);
        RolloutRow[] out = new RolloutRow[hi - lo];
        engine.produce(done, new RowProducer.RowSink() {
            @Override
            public void write(int index, RolloutRow row) {
                out[index - lo] = row;
            }

            @Override
            public void engineNanos(long nanos) {
                engineNanos += nanos;
            }
        });
        return Arrays.asList(out);
    }

    /** Wall time spent inside the engine so far. */
    public long engineNanos() {
        return engineNanos;
    }

    @Override
    public void close() {
        try {
            if (engine != null) {
                engine.close();
                engine = null;
            }
        } finally {
            if (tokenizer != null) {
                tokenizer.close();
            }
        }
    }
}
