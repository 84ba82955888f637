package rlif.bench.rollout;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import rlif.evaluator.rollout.EngineOptions;
import rlif.evaluator.rollout.ForcedRequest;
import rlif.evaluator.rollout.ForcingStats;
import rlif.evaluator.rollout.OnnxRolloutEngine;
import rlif.evaluator.rollout.OnnxTeacherForcing;
import rlif.evaluator.rollout.Rollout;
import rlif.evaluator.rollout.RolloutRequest;
import rlif.evaluator.rollout.RolloutStats;
import rlif.evaluator.rollout.SamplingParams;
import rlif.kernels.SignalKernels;
import rlif.models.dir.ModelDirectory;

/**
 * End-to-end rollout throughput: whole {@code generate} calls on a real decoder at several batch sizes,
 * with the engine's own split of each decode step into time inside {@code OrtSession.run}, in the
 * signal kernel, and everything else on the Java side; and, interleaved with each {@code generate}, the same
 * rollouts scored teacher-forced ({@link OnnxTeacherForcing}) on the same model and batch, so the two
 * tokens/s are measured side by side under the same load.
 */
public final class RolloutBench {
    /** What to measure. */
    public record Settings(List<Integer> batchSizes, int promptTokens, int newTokens, int warmups, int repeats,
            double temperature, String kernels, EngineOptions engine) {
        public static Settings quick() {
            return new Settings(List.of(1, 16), 32, 32, 1, 2, 1.0, "auto", EngineOptions.defaults());
        }

        public static Settings full() {
            return new Settings(List.of(1, 16), 64, 128, 1, 5, 1.0, "auto", EngineOptions.defaults());
        }
    }

    /**
     * One batch size's measurement, summed over the timed repeats. {@code forcedTokensPerSecond}: the generated
     * completions' tokens scored teacher-forced per second of {@code score} wall time.
     */
    public record Result(int batch, int promptTokens, int newTokens, String kernel, long tokens, double seconds,
            double tokensPerSecond, double decodeStepMillis, double outsideOrtShare, double signalShare,
            double overheadShare, long decodeSteps, long compactions, long forcedTokens, double forcedSeconds,
            double forcedTokensPerSecond) {
        /** Teacher-forced over generation tokens/s. */
        public double forcedSpeedup() {
            return forcedTokensPerSecond / tokensPerSecond;
        }
    }

    private RolloutBench() {}

    /** Runs the bench; {@code progress} hears about every finished {@code generate} call. */
    public static List<Result> run(ModelDirectory model, Settings s, Consumer<String> progress) {
        List<Result> results = new ArrayList<>();
        try (OnnxRolloutEngine engine = new OnnxRolloutEngine(model, s.engine(), SignalKernels.create(s.kernels()));
                OnnxTeacherForcing forcing = new OnnxTeacherForcing(model, s.engine())) {
            SamplingParams params = s.temperature() == 0
                    ? SamplingParams.greedy(s.newTokens())
                    : new SamplingParams(s.temperature(), 0, 1, s.newTokens());
            for (int batch : s.batchSizes()) {
                List<RolloutRequest> requests = prompts(model, batch, s.promptTokens());
                for (int i = 0; i < s.warmups(); i++) {
                    forcing.score(forced(engine.generate(requests, params)), params.signalTemperature());
                    progress.accept("warm-up batch " + batch);
                }
                RolloutStats before = engine.stats();
                ForcingStats forcedBefore = forcing.stats();
                for (int i = 0; i < s.repeats(); i++) {
                    List<Rollout> out = engine.generate(requests, params);
                    forcing.score(forced(out), params.signalTemperature());
                    progress.accept("batch " + batch + " repeat " + (i + 1) + ": " + out.size() + " rollouts");
                }
                RolloutStats d = engine.stats().minus(before);
                ForcingStats f = forcing.stats().minus(forcedBefore);
                results.add(new Result(batch, s.promptTokens(), s.newTokens(), engine.kernelName(), d.tokens(),
                        d.totalNanos() / 1e9, d.tokensPerSecond(), d.decodeNanos() / 1e6 / Math.max(1, d.decodeSteps()),
                        d.decodeOutsideOrtShare(), d.decodeSignalNanos() / (double) Math.max(1, d.decodeNanos()),
                        d.decodeOverheadShare(), d.decodeSteps(), d.compactions(), f.tokens(), f.totalNanos() / 1e9,
                        f.tokensPerSecond()));
            }
        }
        return results;
    }

    /** The generated rollouts as completions to score teacher-forced (an empty one has nothing to score). */
    private static List<ForcedRequest> forced(List<Rollout> rollouts) {
        return rollouts.stream().filter(r -> r.numTokens() > 0)
                .map(r -> new ForcedRequest(r.promptIds(), r.completionIds())).toList();
    }

    /**
     * {@code batch} prompts of {@code length} seeded random ids, avoiding end-of-sequence ids so that
     * only the length limit stops generation and every run does the same work.
     */
    public static List<RolloutRequest> prompts(ModelDirectory model, int batch, int length) {
        SplittableRandom random = new SplittableRandom(20261128L);
        int vocab = model.config().vocab();
        List<RolloutRequest> out = new ArrayList<>();
        for (int b = 0; b < batch; b++) {
            int[] ids = new int[length];
            for (int i = 0; i < length; i++) {
                int id;
                do {
                    id = random.nextInt(vocab);
                } while (model.config().eosIds().contains(id));
                ids[i] = id;
            }
            out.add(new RolloutRequest(ids, b));
        }
        return out;
    }
}
