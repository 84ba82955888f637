package rlif.evaluator.score;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.OptionalInt;
import rlif.evaluator.prompt.PromptEncoder;
import rlif.evaluator.data.GivenCompletions;
import rlif.evaluator.data.GivenCompletions.Given;
import rlif.evaluator.rollout.EngineOptions;
import rlif.evaluator.rollout.FinishReason;
import rlif.evaluator.rollout.ForcedRequest;
import rlif.evaluator.rollout.OnnxTeacherForcing;
import rlif.evaluator.rollout.Rollout;
import rlif.models.BadInputException;
import rlif.models.dir.ModelDirectory;
import rlif.models.tokenizer.ModelTokenizer;

/**
 * Rows by teacher forcing ({@code --teacher-forced}): every completion the data gives, scored as it is on the
 * scoring variant of the decoder ({@link OnnxTeacherForcing}), at the signal temperature of the settings, with
 * the same row fields, grading and summary as generation.
 *
 * <p>The check pass encodes every prompt and completion and refuses, naming the file, line and field: completion
 * ids outside the vocabulary, prompt plus completion over the model's context, a row without a completion, and
 * completion text the tokenizer does not give back unchanged. Scoring is batch-invariant, so a resumed run
 * scores only the missing rows and its rows come out as an uninterrupted run's.
 */
final class TeacherForcedRows implements RowProducer {
    private ScoreSettings settings;
    private final ModelDirectory model;
    private final EngineOptions options;
    private final GivenCompletions given;
    private final PromptEncoder encoder;
    private final ModelTokenizer tokenizer;
    private WorkPlan.Listed plan;

    /** {@code encoder} is built with one new token, so it checks only that the prompt fits the context. */
    TeacherForcedRows(ScoreSettings settings, ModelDirectory model, EngineOptions options, GivenCompletions given,
            PromptEncoder encoder, ModelTokenizer tokenizer) {
        this.settings = settings;
        this.model = model;
        this.options = options;
        this.given = given;
        this.encoder = encoder;
        this.tokenizer = tokenizer;
    }

    @Override
    public String phase() {
        return "teacher_force";
    }

    @Override
    public String engineSecondsKey() {
        return "scoring_seconds";
    }

    /** A row ready to score: its prompt as the model sees it and its completion's ids. */
    private record Prepared(Given row, PromptEncoder.Encoded prompt, int[] completionIds) {}

    @Override
    public WorkPlan check() {
        plan = new WorkPlan.Listed();
        int longest = 1;
        try (GivenCompletions.Rows rows = given.open()) {
            while (rows.hasNext()) {
                Given g = rows.next();
                if (wanted(g)) {
                    longest = Math.max(longest, prepare(g).completionIds().length);
                    plan.add(g.problem().index(), g.sample());
                }
            }
        }
        if (settings.maxNewTokens() == ScoreSettings.FIT_MAX_NEW_TOKENS) {
            // nothing is generated; the settings record the longest completion scored
            settings = settings.withMaxNewTokens(longest);
        }
        if (plan.rows() == 0) {
            throw new BadInputException("--data " + settings.data() + " has no completions to score"
                    + (settings.limit() > 0 ? " among its first " + settings.limit() + " problems" : ""));
        }
        return plan;
    }

    @Override
    public ScoreSettings settings() {
        return settings;
    }

    /** {@code --limit N} keeps the problems numbered below N. */
    private boolean wanted(Given g) {
        return settings.limit() == 0 || g.problem().index() < settings.limit();
    }

    private Prepared prepare(Given g) {
        PromptEncoder.Encoded prompt;
        if (!g.problem().hasText()) {
            // ids are exactly what the model sees, whatever --prompt-format says; a rollouts row's text beside them
            // is kept as the row's prompt
            int[] ids = g.problem().promptIds();
            ModelTokenizer.requireEmbeddable(ids, model.config().vocab(), "--data " + g.problem().where() + " (field prompt_ids)");
            String text = g.promptText() != null ? g.promptText() : tokenizer == null ? null : tokenizer.decode(ids, false);
            prompt = new PromptEncoder.Encoded(text, g.promptRendered(), ids);
        } else if (g.promptRendered()) {
            // already rendered by a chat template: exactly the text the tokenizer saw, special tokens written in it
            int[] ids = tokenizer().encode(g.problem().promptText(), false);
            ModelTokenizer.requireEmbeddable(ids, model.config().vocab(), "--data " + g.problem().where() + " (field prompt)");
            prompt = new PromptEncoder.Encoded(g.problem().promptText(), true, ids);
        } else {
            prompt = encoder.encoded(g.problem());
        }
        int[] completion;
        String field;
        if (g.completionIds() != null) {
            completion = g.completionIds();
            field = "completion_ids";
        } else {
            field = "completion";
            completion = g.completionText().isEmpty() ? new int[0] : tokenizer().encode(g.completionText(), false);
            String back = tokenizer().decode(completion, false);
            if (!back.equals(g.completionText())) {
                throw given.bad(g, field, "the tokenizer's round trip changes the text (" + quote(g.completionText())
                        + " comes back as " + quote(back) + "); give the token ids in completion_ids instead");
            }
        }
        int vocab = model.config().vocab();
        for (int id : completion) {
            if (id >= vocab) {
                throw given.bad(g, field, "token id " + id + " is outside the model's vocabulary of " + vocab);
            }
        }
        OptionalInt context = model.config().contextLength();
        if (context.isPresent() && (long) prompt.ids().length + completion.length - 1 > context.getAsInt()) {
            throw given.bad(g, field, "the prompt's " + prompt.ids().length + " tokens plus the completion's "
                    + completion.length + " exceed the model's context length of " + context.getAsInt());
        }
        return new Prepared(g, prompt, completion);
    }

    private ModelTokenizer tokenizer() {
        if (tokenizer == null) {
            throw new BadInputException("--data " + settings.data() + " gives text, but the model directory "
                    + model.dir() + " has no tokenizer.json to encode it (give prompt_ids and completion_ids instead)");
        }
        return tokenizer;
    }

    private static String quote(String s) {
        String shown = s.length() > 60 ? s.substring(0, 60) + "..." : s;
        return '"' + shown.replace("\n", "\\n") + '"';
    }

    @Override
    public Engine open() {
        OnnxTeacherForcing engine = new OnnxTeacherForcing(model, options);
        return Engine.of((done, sink) -> score(engine, done, sink), engine::close);
    }

    private void score(OnnxTeacherForcing engine, BitSet done, RowSink sink) {
        List<Prepared> batch = new ArrayList<>();
        try (GivenCompletions.Rows rows = given.open()) {
            while (rows.hasNext()) {
                Given g = rows.next();
                if (wanted(g) && !done.get(plan.index(g.problem().index(), g.sample()))) {
                    batch.add(prepare(g));
                    if (batch.size() == settings.batchSize()) {
                        scoreBatch(engine, batch, sink);
                        batch.clear();
                    }
                }
            }
        }
        if (!batch.isEmpty()) {
            scoreBatch(engine, batch, sink);
        }
    }

    private void scoreBatch(OnnxTeacherForcing engine, List<Prepared> batch, RowSink sink) {
        List<ForcedRequest> requests = new ArrayList<>();
        for (Prepared p : batch) {
            if (p.completionIds().length > 0) {
                requests.add(new ForcedRequest(p.prompt().ids(), p.completionIds()));
            }
        }
        long t0 = System.nanoTime();
        List<Rollout> scored = engine.score(requests, settings.sampling().signalTemperature());
        sink.engineNanos(System.nanoTime() - t0);
        int next = 0;
        for (Prepared p : batch) {
            // an empty completion (a rollout that ended before its first token) has no signals to compute
            Rollout r = p.completionIds().length > 0 ? scored.get(next++) : new Rollout(p.prompt().ids(), new int[0],
                    finishReason(p.row()), new double[0], new double[0], new double[0]);
            Given g = p.row();
            sink.write(plan.index(g.problem().index(), g.sample()),
                    ScoredRows.of(g.problem(), g.sample(), p.prompt(), r, tokenizer, settings.tokenSignals()));
        }
    }

    private static FinishReason finishReason(Given g) {
        for (FinishReason f : FinishReason.values()) {
            if (f.json().equals(g.finishReason())) {
                return f;
            }
        }
        return FinishReason.LENGTH;
    }
}
