package rlif.evaluator.compare;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import rlif.evaluator.data.ProblemSource;
import rlif.evaluator.data.ProblemSources;
import rlif.evaluator.report.RolloutRow;
import rlif.evaluator.report.RolloutsFile;
import rlif.evaluator.score.ScoreJob;
import rlif.evaluator.score.ScoreSettings;
import rlif.evaluator.score.ScoringModel;
import rlif.models.BadInputException;
import rlif.models.io.AtomicFiles;
import rlif.models.progress.ProgressSink;

/**
 * {@code rlif score} of several models: the single-model {@link ScoreJob} once per model into its own
 * sub-folder of {@code --out} (each resumes on its own), then {@code comparison.json} and
 * {@code comparison.html} with every model's metrics and its paired differences from the first.
 *
 * <p>Every model and every prompt is checked before the first rollout, so a bad last model does not stop the
 * run after the others have scored. Every model gets the same settings, so the same problems and seeds, or under
 * {@code --teacher-forced} the same given completions.
 */
public final class MultiScoreJob {
    public static final String COMPARISON_JSON = "comparison.json";
    public static final String COMPARISON_HTML = "comparison.html";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final List<ScoredModel> models;
    private final ScoreSettings settings;
    private final Path out;
    private final boolean overwrite;
    private boolean progress;
    private int threads;

    /** {@code settings} apply to every model; their {@code model} is replaced by each model's directory. */
    public MultiScoreJob(List<ScoredModel> models, ScoreSettings settings, Path out, boolean overwrite) {
        if (models.isEmpty()) {
            throw new IllegalArgumentException("no models");
        }
        this.models = List.copyOf(models);
        this.settings = settings;
        this.out = out;
        this.overwrite = overwrite;
    }

    /** Progress on stderr: which model is running, and its progress bar. */
    public MultiScoreJob withProgressBar(boolean on) {
        this.progress = on;
        return this;
    }

    /** ONNX Runtime intra-op threads of each model's session; 0 (the default) lets ONNX Runtime choose. */
    public MultiScoreJob withThreads(int n) {
        this.threads = n;
        return this;
    }

    /** Each model's score result, and the comparison as written to {@code comparison.json}. */
    public record Result(List<ScoredModel> models, List<ScoreJob.Result> scores, ObjectNode comparison) {}

    public Result run() {
        if (Files.exists(out) && !Files.isDirectory(out)) {
            throw new BadInputException("--out " + out + " is a file; expected a directory (new or from an earlier run)");
        }
        checkEveryModel();
        Comparison comparison = null;
        List<ScoreJob.Result> results = new ArrayList<>();
        for (int i = 0; i < models.size(); i++) {
            ScoredModel m = models.get(i);
            if (progress) {
                ProgressSink.stderr().line("model " + (i + 1) + " of " + models.size() + ": " + m.name() + " (" + m.location() + ")");
            }
            Path dir = out.resolve(m.name());
            results.add(new ScoreJob(settingsFor(m), dir, overwrite).withThreads(threads).withProgressBar(progress).run());
            List<RolloutRow> rows = new ArrayList<>();
            RolloutsFile.read(dir.resolve(ScoreJob.ROLLOUTS), rows::add);
            if (comparison == null) {
                comparison = new Comparison(samplesPerProblem(rows));
            }
            comparison.add(m, rows);
        }
        // the baseline's settings as its score job resolved them (--max-new-tokens fitted to its context)
        ObjectNode json = comparison.toJson(sharedSettings((ObjectNode) results.get(0).summary().get("settings")));
        AtomicFiles.write(out.resolve(COMPARISON_JSON), stream -> stream.write(JSON.writeValueAsBytes(json)));
        ComparisonReport.write(out.resolve(COMPARISON_HTML), json);
        return new Result(models, results, json);
    }

    /** What every model is scored with: a model's {@code summary.json} settings without the model. */
    public static ObjectNode sharedSettings(ObjectNode modelSettings) {
        ObjectNode o = modelSettings.deepCopy();
        o.remove("model");
        return o;
    }

    /**
     * The samples per problem of the baseline's complete run: {@code --samples} when generating, and under
     * {@code --teacher-forced} the most completions the data gives one problem (as its summary.json counts k).
     */
    private static int samplesPerProblem(List<RolloutRow> rows) {
        Map<Integer, Integer> perProblem = new HashMap<>();
        rows.forEach(r -> perProblem.merge(r.promptIndex(), 1, Integer::sum));
        return perProblem.values().stream().mapToInt(Integer::intValue).max().orElse(1);
    }

    private ScoreSettings settingsFor(ScoredModel m) {
        return settings.withModel(m.location());
    }

    /** Opens every model (configs, tokenizer) and encodes every prompt for it, without starting a session. */
    private void checkEveryModel() {
        ProblemSource source = ProblemSources.of(settings.data());
        for (ScoredModel m : models) {
            checkPrompts(settingsFor(m), source);
        }
    }

    /**
     * Opens the model of {@code settings} (configs, tokenizer, chat template) and encodes every prompt of
     * {@code source} for it, as its score job will, without starting a session; bad input names the model.
     * Returns the settings with {@code --max-new-tokens} resolved as the score job resolves them.
     */
    public static ScoreSettings checkPrompts(ScoreSettings settings, ProblemSource source) {
        try (ScoringModel scoring = ScoringModel.open(settings, source, 0)) {
            return scoring.settings();
        }
    }
}
