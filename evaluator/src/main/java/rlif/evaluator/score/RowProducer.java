package rlif.evaluator.score;

import java.nio.file.Path;
import java.util.BitSet;
import java.util.function.Supplier;
import rlif.evaluator.data.ArithSpec;
import rlif.evaluator.data.GivenCompletions;
import rlif.evaluator.data.ProblemSource;
import rlif.evaluator.prompt.PromptEncoder;
import rlif.evaluator.report.RolloutRow;
import rlif.evaluator.rollout.EngineOptions;
import rlif.models.BadInputException;
import rlif.models.dir.ModelDirectory;
import rlif.models.progress.ProgressSink;
import rlif.models.tokenizer.ModelTokenizer;

/**
 * What fills {@code rollouts.jsonl} for {@link ScoreJob}: {@link GeneratedRows} (the default) or
 * {@link TeacherForcedRows} ({@code --teacher-forced}). The job owns {@code --out}, resuming, progress and
 * the summary; a producer owns reading the data, checking it against the model and running the engine.
 */
interface RowProducer {
    /**
     * Generation of the problems of {@code source}, or teacher forcing of the completions {@code --data} gives
     * under {@code --teacher-forced} (then {@code source} is not asked for).
     */
    static RowProducer of(ScoreSettings settings, ModelDirectory model, EngineOptions options, Supplier<ProblemSource> source,
            ModelTokenizer tokenizer, ProgressSink progress) {
        if (!settings.teacherForced()) {
            PromptEncoder encoder = PromptEncoder.of(model, settings.promptFormat(), tokenizer, settings.maxNewTokens(),
                    PromptEncoder.Labels.SCORE);
            return new GeneratedRows(settings, model, options, source.get(), encoder, tokenizer, progress);
        }
        if (ArithSpec.isArith(settings.data())) {
            throw new BadInputException("--teacher-forced scores the completions a JSONL file gives (a rollouts.jsonl,"
                    + " or rows with completion or completion_ids); --data " + settings.data() + " has none");
        }
        PromptEncoder encoder = PromptEncoder.of(model, settings.promptFormat(), tokenizer, 1, PromptEncoder.Labels.SCORE);
        return new TeacherForcedRows(settings, model, options, new GivenCompletions(Path.of(settings.data())), encoder,
                tokenizer);
    }

    /** Reads and checks every input row against the model, before anything is written; returns the run's rows. */
    WorkPlan check();

    /** The settings, with what {@link #check} resolved from the data ({@code --max-new-tokens} when left to fit). */
    ScoreSettings settings();

    /**
     * Opens the engine (the ONNX Runtime session and what else it needs). Called only when rows are missing,
     * and before {@code --out} is touched, so a model or device ONNX Runtime refuses leaves it as it was.
     */
    Engine open();

    /** The phase's name in {@code phase_seconds}, and the key of the engine's time in {@code throughput}. */
    String phase();

    /** The key under which {@code throughput} records the seconds spent in the engine. */
    String engineSecondsKey();

    /** A producer's opened engine. */
    interface Engine extends AutoCloseable {
        /** Produces every row of the plan that {@code done} does not hold, in run order. */
        void produce(BitSet done, RowSink sink);

        /**
         * Pays the engine's one-off costs (JIT compilation, first runs) before {@link #produce}, so its time counts
         * as a phase of its own rather than generation; the default does nothing.
         */
        default void warmUp() {}

        @Override
        void close();

        /** An engine that produces with {@code produce} and closes with {@code close}. */
        static Engine of(java.util.function.BiConsumer<BitSet, RowSink> produce, Runnable close) {
            return of(produce, () -> {}, close);
        }

        /** An engine that warms up with {@code warmUp}, produces with {@code produce} and closes with {@code close}. */
        static Engine of(java.util.function.BiConsumer<BitSet, RowSink> produce, Runnable warmUp, Runnable close) {
            return new Engine() {
                @Override
                public void produce(BitSet done, RowSink sink) {
                    produce.accept(done, sink);
                }

                @Override
                public void warmUp() {
                    warmUp.run();
                }

                @Override
                public void close() {
                    close.run();
                }
            };
        }
    }

    /** Where a producer hands its rows. */
    interface RowSink {
        /** Writes the row at {@code index}, its position in the plan. */
        void write(int index, RolloutRow row);

        /** Adds wall time spent inside the engine. */
        void engineNanos(long nanos);
    }
}
