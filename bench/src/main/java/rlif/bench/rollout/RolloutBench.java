package rlif.bench.rollout;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import rlif.evaluator.rollout.EngineKind;
import rlif.evaluator.rollout.EngineOptions;
import rlif.evaluator.rollout.ForcedRequest;
import rlif.evaluator.rollout.ForcingStats;
import rlif.evaluator.rollout.OnnxTeacherForcing;
import rlif.evaluator.rollout.Rollout;
import rlif.evaluator.rollout.RolloutEngine;
import rlif.evaluator.rollout.RolloutEngines;
import rlif.evaluator.rollout.RolloutRequest;
import rlif.evaluator.rollout.RolloutStats;
import rlif.evaluator.rollout.SamplingParams;
import rlif.models.dir.ModelDirectory;

/**
 * End-to-end rollout throughput: whole {@code generate} calls on a real decoder at several batch sizes, for each
 * engine asked for (the step engine and the generation graph side by side), with the engine's own split of each
 * decode step into time inside {@code OrtSession.run}, in the signal kernel, and everything else on the Java side.
 *
 * <p>The engines are open at the same time and their timed calls alternate (step, graph, step, graph, ...), so a
 * machine whose speed drifts slows both alike and their ratio stays meaningful.
 *
 * <p>Interleaved with them, the first engine's rollouts are scored teacher-forced ({@link OnnxTeacherForcing}, what
 * {@code score --teacher-forced} runs) on the same model and batch, reported as one more row named
 * {@code teacher-forced}, so its tokens/s stands beside generation's under the same load.
 */
public final class RolloutBench {
    /** What to measure. */
    /**
     * What to measure.
     *
     * @param engines {@code step} and {@code graph}, as {@code --engine} names them
     */
    public record Settings(List<Integer> batchSizes, int promptTokens, int newTokens, int warmups, int repeats,
            double temperature, String kernels, EngineOptions engine, List<String> engines) {
        public Settings {
            batchSizes = List.copyOf(batchSizes);
            engines = List.copyOf(engines);
        }

        public static Settings quick() {
            return new Settings(List.of(1, 16), 32, 32, 1, 2, 1.0, "auto", EngineOptions.defaults(),
                    List.of("step", "graph"));
        }

        public static Settings full() {
            return new Settings(List.of(1, 16), 64, 128, 1, 5, 1.0, "auto", EngineOptions.defaults(),
                    List.of("step", "graph"));
        }
    }

    /** One engine at one batch size, summed over the timed repeats (teacher forcing has no decode steps: NaN). */
    public record Result(String engine, int batch, int promptTokens, int newTokens, String kernel, long tokens,
            double seconds, double tokensPerSecond, double decodeStepMillis, double outsideOrtShare,
            double signalShare, double overheadShare, long decodeSteps, long compactions) {}

    /** The engine name of the teacher-forced rows. */
    public static final String TEACHER_FORCED = "teacher-forced";

    private RolloutBench() {}

    /** Runs the bench; {@code progress} hears about every finished {@code generate} call. */
    public static List<Result> run(ModelDirectory model, Settings s, Consumer<String> progress) {
        Map<String, RolloutEngine> engines = new LinkedHashMap<>();
        try (OnnxTeacherForcing forcing = new OnnxTeacherForcing(model, s.engine())) {
            for (String name : s.engines()) {
                engines.put(name, RolloutEngines.open(model, EngineKind.parse(name), s.engine(), s.kernels()));
            }
            SamplingParams params = s.temperature() == 0
                    ? SamplingParams.greedy(s.newTokens())
                    : new SamplingParams(s.temperature(), 0, 1, s.newTokens());
            List<Result> results = new ArrayList<>();
            for (int batch : s.batchSizes()) {
                List<RolloutRequest> requests = prompts(model, batch, s.promptTokens());
                Map<String, RolloutStats> before = new LinkedHashMap<>();
                for (var e : engines.entrySet()) {
                    for (int i = 0; i < s.warmups(); i++) {
                        List<Rollout> out = e.getValue().generate(requests, params);
                        if (before.isEmpty()) {
                            forcing.score(forced(out), params.signalTemperature());
                        }
                        progress.accept("warm-up " + e.getKey() + " batch " + batch);
                    }
                    before.put(e.getKey(), e.getValue().stats());
                }
                ForcingStats forcedBefore = forcing.stats();
                for (int i = 0; i < s.repeats(); i++) {
                    List<Rollout> first = null;
                    for (var e : engines.entrySet()) {
                        List<Rollout> out = e.getValue().generate(requests, params);
                        first = first == null ? out : first;
                        progress.accept(e.getKey() + " batch " + batch + " repeat " + (i + 1) + ": "
                                + out.size() + " rollouts");
                    }
                    forcing.score(forced(first), params.signalTemperature());
                }
                for (var e : engines.entrySet()) {
                    RolloutStats d = e.getValue().stats().minus(before.get(e.getKey()));
                    String kernel = e.getKey().equals("step") ? s.kernels() : "in-graph";
                    results.add(new Result(e.getKey(), batch, s.promptTokens(), s.newTokens(), kernel, d.tokens(),
                            d.totalNanos() / 1e9, d.tokensPerSecond(),
                            d.decodeNanos() / 1e6 / Math.max(1, d.decodeSteps()), d.decodeOutsideOrtShare(),
                            d.decodeSignalNanos() / (double) Math.max(1, d.decodeNanos()), d.decodeOverheadShare(),
                            d.decodeSteps(), d.compactions()));
                }
                ForcingStats f = forcing.stats().minus(forcedBefore);
                results.add(new Result(TEACHER_FORCED, batch, s.promptTokens(), s.newTokens(), "in-graph", f.tokens(),
                        f.totalNanos() / 1e9, f.tokensPerSecond(), Double.NaN, Double.NaN, Double.NaN, Double.NaN, 0,
                        0));
            }
            return results;
        } finally {
            engines.values().forEach(RolloutEngine::close);
        }
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
