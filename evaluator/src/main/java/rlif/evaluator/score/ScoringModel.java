package rlif.evaluator.score;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import rlif.evaluator.data.Problem;
import rlif.evaluator.grading.Grade;
import rlif.evaluator.grading.Grader;
import rlif.evaluator.prompt.PromptEncoder;
import rlif.evaluator.report.RolloutRow;
import rlif.evaluator.rollout.Device;
import rlif.evaluator.rollout.EngineOptions;
import rlif.evaluator.rollout.OnnxRolloutEngine;
import rlif.evaluator.rollout.Rollout;
import rlif.evaluator.rollout.RolloutEngine;
import rlif.evaluator.rollout.RolloutRequest;
import rlif.evaluator.rollout.TrajectorySignals;
import rlif.kernels.SignalKernel;
import rlif.kernels.SignalKernels;
import rlif.models.BadInputException;
import rlif.models.dir.ModelDirectory;
import rlif.models.tokenizer.ModelTokenizer;

/**
 * One model opened for scoring, the part {@code rlif score} and the Spark job share: the model directory, its
 * tokenizer and prompt encoder, and, once started, its rollout engine with the {@code --kernels} backend. It
 * turns a batch of (problem, sample) work into graded {@code rollouts.jsonl} rows. Each row samples from its own
 * stream seeded by (run seed, problem index, sample), so the same batch gives the same rows wherever it runs.
 *
 * <p>Opening reads only small files; the ONNX Runtime session starts in {@link #startEngine}, so callers can
 * check every prompt before paying for it.
 */
public final class ScoringModel implements AutoCloseable {
    /** As given, then with {@code --max-new-tokens} resolved by {@link #fitMaxNewTokens}. */
    private ScoreSettings settings;
    private final ModelDirectory model;
    private final Device device;
    /** Null for a model directory without tokenizer.json (every row must then give prompt_ids). */
    private final ModelTokenizer tokenizer;
    private PromptEncoder encoder;
    private RolloutEngine engine;

    private ScoringModel(ScoreSettings settings, ModelDirectory model, Device device, ModelTokenizer tokenizer,
            PromptEncoder encoder) {
        this.settings = settings;
        this.model = model;
        this.device = device;
        this.tokenizer = tokenizer;
        this.encoder = encoder;
    }

    /** Opens {@code settings.model()}: its configs, tokenizer and chat template; checks the kernel name and device. */
    public static ScoringModel open(ScoreSettings settings) {
        ModelDirectory model = ModelDirectory.open(Path.of(settings.model()));
        if (!SignalKernels.NAMES.contains(settings.kernels())) {
            throw new BadInputException("--kernels must be one of " + String.join(", ", SignalKernels.NAMES)
                    + ", got '" + settings.kernels() + "'");
        }
        Device device = Device.parse(settings.device());
        ModelTokenizer tokenizer = model.tokenizerFile().isPresent() ? model.openTokenizer() : null;
        try {
            PromptEncoder encoder = PromptEncoder.of(model, settings.promptFormat(), tokenizer, settings.maxNewTokens(),
                    PromptEncoder.Labels.SCORE);
            return new ScoringModel(settings, model, device, tokenizer, encoder);
        } catch (RuntimeException e) {
            if (tokenizer != null) {
                tokenizer.close();
            }
            throw e;
        }
    }

    public ModelDirectory directory() {
        return model;
    }

    /** The settings in force: as given, with {@code maxNewTokens} resolved once {@link #fitMaxNewTokens} ran. */
    public ScoreSettings settings() {
        return settings;
    }

    /** The prompt ids of a problem, checked against the model (vocabulary, context length); bad input otherwise. */
    public int[] encode(Problem p) {
        return encoder.encode(p);
    }

    /**
     * Resolves a {@code maxNewTokens} of {@link ScoreSettings#FIT_MAX_NEW_TOKENS} to the default, or what fits
     * the model's context after the longest prompt encoded so far (so call it once every prompt is encoded);
     * returns the settings in force.
     */
    public ScoreSettings fitMaxNewTokens() {
        if (settings.maxNewTokens() == ScoreSettings.FIT_MAX_NEW_TOKENS) {
            int n = encoder.fittingMaxNewTokens(ScoreSettings.DEFAULT_MAX_NEW_TOKENS);
            settings = settings.withMaxNewTokens(n);
            encoder = encoder.withMaxNewTokens(n);
        }
        return settings;
    }

    /** Why a fitted {@code maxNewTokens} is below the default, for a status line. */
    public String whyFewerNewTokens() {
        return "--max-new-tokens " + settings.maxNewTokens() + ": what fits the model's context of "
                + encoder.contextLength().getAsInt() + " tokens after the longest prompt (" + encoder.longestPrompt()
                + " tokens); pass --max-new-tokens to choose";
    }

    /**
     * Opens the ONNX Runtime session ({@code threads} intra-op threads, 0 = its default) and the signal kernel
     * backend; a no-op when already started.
     */
    public void startEngine(int threads) {
        if (engine != null) {
            return;
        }
        if (settings.maxNewTokens() == ScoreSettings.FIT_MAX_NEW_TOKENS) {
            throw new IllegalStateException("fitMaxNewTokens() first");
        }
        SignalKernel kernel;
        try {
            kernel = SignalKernels.create(settings.kernels());
        } catch (IllegalArgumentException | IllegalStateException | UnsupportedOperationException e) {
            String why = String.valueOf(e.getMessage());
            throw new BadInputException(why.contains("--kernels") ? why : "--kernels " + settings.kernels() + ": " + why, e);
        }
        try {
            engine = new OnnxRolloutEngine(model, EngineOptions.defaults().withDevice(device).withThreads(threads), kernel);
        } catch (RuntimeException e) {
            kernel.close();
            throw e;
        }
    }

    /** Generates one rollout per work item, in order, each from its own seeded stream. */
    public List<Rollout> generate(List<RolloutWork> batch) {
        if (engine == null) {
            throw new IllegalStateException("startEngine() first");
        }
        List<RolloutRequest> requests = batch.stream()
                .map(w -> new RolloutRequest(w.promptIds(), SeedStreams.seed(settings.seed(), w.problem().index(), w.sample())))
                .toList();
        return engine.generate(requests, settings.sampling());
    }

    /** The graded {@code rollouts.jsonl} row of a work item's rollout. */
    public RolloutRow row(RolloutWork w, Rollout r) {
        String completion = tokenizer == null ? "" : tokenizer.decode(r.completionIds(), true);
        Grade grade = Grader.grade(completion, w.problem().reference());
        TrajectorySignals s = r.signals();
        boolean arrays = settings.tokenSignals();
        return new RolloutRow(w.problem().index(), w.problem().id(), w.sample(), completion, r.completionIds(),
                r.finishReason().json(), r.numTokens(), s.tokenEntropy(), s.selfCertainty(), s.trajectoryEntropy(),
                s.sumLogprob(), grade.answer(), w.problem().reference(), grade.correct(),
                arrays ? r.tokenLogprobs() : null, arrays ? r.tokenEntropies() : null,
                arrays ? r.tokenSelfCertainties() : null);
    }

    /** {@link #generate} and {@link #row} for a whole batch. */
    public List<RolloutRow> score(List<RolloutWork> batch) {
        List<Rollout> rollouts = generate(batch);
        List<RolloutRow> rows = new ArrayList<>(batch.size());
        for (int i = 0; i < batch.size(); i++) {
            rows.add(row(batch.get(i), rollouts.get(i)));
        }
        return rows;
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
