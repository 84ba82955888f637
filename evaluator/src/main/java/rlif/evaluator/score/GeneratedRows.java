package rlif.evaluator.score;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import rlif.evaluator.prompt.PromptEncoder;
import rlif.evaluator.data.Problem;
import rlif.evaluator.data.ProblemSource;
import rlif.evaluator.rollout.EngineOptions;
import rlif.evaluator.rollout.EngineKind;
import rlif.evaluator.rollout.Rollout;
import rlif.evaluator.rollout.RolloutEngine;
import rlif.evaluator.rollout.RolloutEngines;
import rlif.evaluator.rollout.RolloutRequest;
import rlif.kernels.SignalKernels;
import rlif.models.BadInputException;
import rlif.models.dir.ModelDirectory;
import rlif.models.progress.ProgressSink;
import rlif.models.tokenizer.ModelTokenizer;

/**
 * Rows by generation: {@code --samples} rollouts of every problem of {@code --data}, in batches of
 * {@code --batch-size} (prompt, sample) pairs. A resumed run skips batches whose rows are all written and
 * regenerates a partly written batch whole (keeping only its missing rows), so every batch has the same rows
 * as in an uninterrupted run and the file comes out identical.
 */
final class GeneratedRows implements RowProducer {
    private ScoreSettings settings;
    private final ModelDirectory model;
    private final EngineOptions options;
    private final ProblemSource source;
    private PromptEncoder encoder;
    private final ModelTokenizer tokenizer;
    private final ProgressSink progress;
    private WorkPlan plan;

    GeneratedRows(ScoreSettings settings, ModelDirectory model, EngineOptions options, ProblemSource source,
            PromptEncoder encoder, ModelTokenizer tokenizer, ProgressSink progress) {
        this.settings = settings;
        this.model = model;
        this.options = options;
        this.source = source;
        this.encoder = encoder;
        this.tokenizer = tokenizer;
        this.progress = progress;
        if (!SignalKernels.NAMES.contains(settings.kernels())) {
            throw new BadInputException("--kernels must be one of " + String.join(", ", SignalKernels.NAMES)
                    + ", got '" + settings.kernels() + "'");
        }
    }

    @Override
    public String phase() {
        return "generate";
    }

    @Override
    public String engineSecondsKey() {
        return "generation_seconds";
    }

    /** First pass: every row parses, encodes and fits the model. */
    @Override
    public WorkPlan check() {
        int n = 0;
        try (ProblemSource.Problems it = source.open()) {
            while (it.hasNext() && (settings.limit() == 0 || n < settings.limit())) {
                encoder.encode(it.next());
                n++;
            }
        }
        if (n == 0) {
            throw new BadInputException("--data " + settings.data() + " has no problems");
        }
        if (settings.maxNewTokens() == ScoreSettings.FIT_MAX_NEW_TOKENS) {
            settings = settings.withMaxNewTokens(encoder.fittingMaxNewTokens(ScoreSettings.DEFAULT_MAX_NEW_TOKENS));
            if (settings.maxNewTokens() < ScoreSettings.DEFAULT_MAX_NEW_TOKENS) {
                progress.line("--max-new-tokens " + settings.maxNewTokens() + ": what fits the model's context of "
                        + encoder.contextLength().getAsInt() + " tokens after the longest prompt ("
                        + encoder.longestPrompt() + " tokens); pass --max-new-tokens to choose");
            }
            encoder = encoder.withMaxNewTokens(settings.maxNewTokens());
        }
        checkBatchFitsInMemory(Math.min(settings.batchSize(), (long) n * settings.samples()));
        plan = WorkPlan.dense(n, settings.samples());
        return plan;
    }

    /**
     * Refuses a batch whose host buffers cannot fit before any session starts: the engine holds a batch's
     * step logits (rows x vocab) and per-token signals (rows x max-new-tokens) on the host, and running out of
     * memory halfway through a batch would end the run with an internal error instead of this one line.
     */
    private void checkBatchFitsInMemory(long rows) {
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

    @Override
    public ScoreSettings settings() {
        return settings;
    }

    @Override
    public Engine open() {
        RolloutEngine engine = RolloutEngines.open(model, EngineKind.parse(settings.engine()), options, settings.kernels());
        int rows = (int) Math.min(settings.batchSize(), (long) plan.rows());
        return Engine.of((done, sink) -> generate(engine, done, sink), () -> engine.warmUp(rows), engine::close);
    }

    /** One (prompt, sample) to generate. */
    private record Work(Problem problem, int sample, PromptEncoder.Encoded prompt) {}

    private void generate(RolloutEngine engine, BitSet done, RowSink sink) {
        List<Work> batch = new ArrayList<>();
        int n = 0;
        try (ProblemSource.Problems it = source.open()) {
            while (it.hasNext() && (settings.limit() == 0 || n < settings.limit())) {
                Problem p = it.next();
                n++;
                PromptEncoder.Encoded prompt = encoder.encoded(p);
                for (int s = 0; s < settings.samples(); s++) {
                    batch.add(new Work(p, s, prompt));
                    if (batch.size() == settings.batchSize()) {
                        runBatch(batch, engine, done, sink);
                        batch.clear();
                    }
                }
            }
        }
        if (!batch.isEmpty()) {
            runBatch(batch, engine, done, sink);
        }
    }

    private void runBatch(List<Work> batch, RolloutEngine engine, BitSet done, RowSink sink) {
        if (batch.stream().allMatch(w -> done.get(plan.index(w.problem().index(), w.sample())))) {
            return;
        }
        List<RolloutRequest> requests = batch.stream()
                .map(w -> new RolloutRequest(w.prompt().ids(), SeedStreams.seed(settings.seed(), w.problem().index(), w.sample())))
                .toList();
        long t0 = System.nanoTime();
        List<Rollout> rollouts = engine.generate(requests, settings.sampling());
        sink.engineNanos(System.nanoTime() - t0);
        for (int i = 0; i < batch.size(); i++) {
            Work w = batch.get(i);
            int index = plan.index(w.problem().index(), w.sample());
            if (!done.get(index)) {
                sink.write(index, ScoredRows.of(w.problem(), w.sample(), w.prompt(), rollouts.get(i), tokenizer,
                        settings.tokenSignals()));
            }
        }
    }
}
