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

    /** One batch size's measurement, summed over the timed repeats; {@code rollouts} are those of the last repeat. */
    public record Result(int batch, int promptTokens, int newTokens, String kernel, long tokens, double seconds,
            double tokensPerSecond, double decodeStepMillis, double outsideOrtShare, double signalShare,
            double overheadShare, long decodeSteps, long compactions, double cpuSeconds, List<Rollout> rollouts) {
        /**
         * Tokens per second of CPU time the process spent in the timed calls (all its threads): on a machine shared
         * with other work the wall clock mostly measures the others; this measures the work done.
         */
        public double tokensPerCpuSecond() {
            return cpuSeconds > 0 ? tokens / cpuSeconds : Double.NaN;
        }

        /** The generated ids of the last repeat, row by row. */
        public List<int[]> completions() {
            return rollouts.stream().map(Rollout::completionIds).toList();
        }
    }

    private static final com.sun.management.OperatingSystemMXBean CPU =
            (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();

    private RolloutBench() {}

    /** Runs the bench; {@code progress} hears about every finished {@code generate} call. */
    public static List<Result> run(ModelDirectory model, Settings s, Consumer<String> progress) {
        return run(List.of(model), s, progress).getFirst();
    }

    /**
     * Runs the bench on several models at once, their calls interleaved (every timed repeat runs each model in turn),
     * so they are compared on the same machine state; one list of results per model, in order.
     */
    public static List<List<Result>> run(List<ModelDirectory> models, Settings s, Consumer<String> progress) {
        List<List<Result>> results = new ArrayList<>();
        List<OnnxRolloutEngine> engines = new ArrayList<>();
        try {
            for (ModelDirectory m : models) {
                engines.add(new OnnxRolloutEngine(m, s.engine(), SignalKernels.create(s.kernels())));
                results.add(new ArrayList<>());
            }
            SamplingParams params = s.sampling(s.newTokens());
            SamplingParams warmup = s.sampling(s.warmupTokens());
            int widest = s.batchSizes().stream().mapToInt(Integer::intValue).max().orElse(1);
            for (OnnxRolloutEngine engine : engines) {
                engine.warmUp(widest);
            }
            for (int batch : s.batchSizes()) {
                List<RolloutRequest> requests = s.prompts() == null
                        ? prompts(models.getFirst(), batch, s.promptTokens())
                        : given(s.prompts(), batch);
                for (int i = 0; i < s.warmups(); i++) {
                    for (OnnxRolloutEngine engine : engines) {
                        engine.generate(requests, warmup);
                    }
                    progress.accept("warm-up batch " + batch);
                }
                List<RolloutStats> before = engines.stream().map(OnnxRolloutEngine::stats).toList();
                List<List<Rollout>> last = new ArrayList<>(java.util.Collections.nCopies(engines.size(), List.of()));
                long[] cpu = new long[engines.size()];
                for (int i = 0; i < s.repeats(); i++) {
                    for (int e = 0; e < engines.size(); e++) {
                        long c0 = CPU.getProcessCpuTime();
                        last.set(e, engines.get(e).generate(requests, params));
                        cpu[e] += CPU.getProcessCpuTime() - c0;
                        progress.accept("batch " + batch + " repeat " + (i + 1) + ": " + last.get(e).size() + " rollouts");
                    }
                }
                for (int e = 0; e < engines.size(); e++) {
                    RolloutStats d = engines.get(e).stats().minus(before.get(e));
                    results.get(e).add(new Result(batch, s.promptTokens(), s.newTokens(), engines.get(e).kernelName(),
                            d.tokens(), d.totalNanos() / 1e9, d.tokensPerSecond(),
                            d.decodeNanos() / 1e6 / Math.max(1, d.decodeSteps()), d.decodeOutsideOrtShare(),
                            d.decodeSignalNanos() / (double) Math.max(1, d.decodeNanos()), d.decodeOverheadShare(),
                            d.decodeSteps(), d.compactions(), cpu[e] / 1e9, last.get(e)));
                }
            }
        } finally {
            for (OnnxRolloutEngine engine : engines) {
                engine.close();
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
