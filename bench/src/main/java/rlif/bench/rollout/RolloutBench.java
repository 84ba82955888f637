package rlif.bench.rollout;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import rlif.evaluator.rollout.EngineOptions;
import rlif.evaluator.rollout.OnnxRolloutEngine;
import rlif.evaluator.rollout.Rollout;
import rlif.evaluator.rollout.RolloutRequest;
import rlif.evaluator.rollout.RolloutStats;
import rlif.evaluator.rollout.SamplingParams;
import rlif.kernels.SignalKernels;
import rlif.models.BadInputException;
import rlif.models.dir.ModelDirectory;

/**
 * End-to-end rollout throughput: whole {@code generate} calls on a real decoder at several batch sizes,
 * with the engine's own split of each decode step into time inside {@code OrtSession.run}, in the
 * signal kernel, and everything else on the Java side.
 */
public final class RolloutBench {
    /**
     * What to measure.
     *
     * @param warmupTokens new tokens per row of each untimed warm-up call
     * @param prompts the prompts, row {@code b} of every batch is prompt {@code b}; null for seeded random ids of
     *                {@code promptTokens} each (see {@link #prompts})
     */
    public record Settings(List<Integer> batchSizes, int promptTokens, int newTokens, int warmups, int warmupTokens,
            int repeats, double temperature, String kernels, EngineOptions engine, List<int[]> prompts) {
        public static Settings quick() {
            return new Settings(List.of(1, 16), 32, 32, 1, 32, 2, 1.0, "auto", EngineOptions.defaults(), null);
        }

        public static Settings full() {
            return new Settings(List.of(1, 16), 64, 128, 1, 128, 5, 1.0, "auto", EngineOptions.defaults(), null);
        }

        SamplingParams sampling(int tokens) {
            return temperature == 0 ? SamplingParams.greedy(tokens) : new SamplingParams(temperature, 0, 1, tokens);
        }
    }

    /**
     * One batch size's measurement, summed over the timed repeats; {@code completions} are the token ids of
     * the last repeat, row by row.
     */
    public record Result(int batch, int promptTokens, int newTokens, String kernel, long tokens, double seconds,
            double tokensPerSecond, double decodeStepMillis, double outsideOrtShare, double signalShare,
            double overheadShare, long decodeSteps, long compactions, List<int[]> completions) {}

    private RolloutBench() {}

    /** Runs the bench; {@code progress} hears about every finished {@code generate} call. */
    public static List<Result> run(ModelDirectory model, Settings s, Consumer<String> progress) {
        List<Result> results = new ArrayList<>();
        try (OnnxRolloutEngine engine = new OnnxRolloutEngine(model, s.engine(), SignalKernels.create(s.kernels()))) {
            SamplingParams params = s.sampling(s.newTokens());
            SamplingParams warmup = s.sampling(s.warmupTokens());
            for (int batch : s.batchSizes()) {
                List<RolloutRequest> requests = s.prompts() == null
                        ? prompts(model, batch, s.promptTokens())
                        : given(s.prompts(), batch);
                for (int i = 0; i < s.warmups(); i++) {
                    engine.generate(requests, warmup);
                    progress.accept("warm-up batch " + batch);
                }
                RolloutStats before = engine.stats();
                List<Rollout> last = List.of();
                for (int i = 0; i < s.repeats(); i++) {
                    last = engine.generate(requests, params);
                    progress.accept("batch " + batch + " repeat " + (i + 1) + ": " + last.size() + " rollouts");
                }
                RolloutStats d = engine.stats().minus(before);
                results.add(new Result(batch, s.promptTokens(), s.newTokens(), engine.kernelName(), d.tokens(),
                        d.totalNanos() / 1e9, d.tokensPerSecond(), d.decodeNanos() / 1e6 / Math.max(1, d.decodeSteps()),
                        d.decodeOutsideOrtShare(), d.decodeSignalNanos() / (double) Math.max(1, d.decodeNanos()),
                        d.decodeOverheadShare(), d.decodeSteps(), d.compactions(),
                        last.stream().map(Rollout::completionIds).toList()));
            }
        }
        return results;
    }

    /** The first {@code batch} of {@code prompts}, seeded by row. */
    private static List<RolloutRequest> given(List<int[]> prompts, int batch) {
        if (prompts.size() < batch) {
            throw new BadInputException(prompts.size() + " prompts are too few for batch size " + batch);
        }
        List<RolloutRequest> out = new ArrayList<>();
        for (int b = 0; b < batch; b++) {
            out.add(new RolloutRequest(prompts.get(b), b));
        }
        return out;
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
