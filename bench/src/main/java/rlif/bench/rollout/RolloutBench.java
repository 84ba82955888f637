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
import rlif.models.BadInputException;
import rlif.models.dir.ModelDirectory;

/**
 * End-to-end rollout throughput: whole {@code generate} calls on a real decoder at several batch sizes, for each
 * engine asked for (the step engine and the generation graph side by side), with the engine's own split of each
 * decode step into time inside {@code OrtSession.run}, in the signal kernel, and everything else on the Java side.
 *
 * <p>The engines are open at the same time, warmed up, and their timed calls alternate (step, graph, step, graph,
 * ...), so a machine whose speed drifts slows both alike and their ratio stays meaningful. A reference model (the
 * float import a quantized one came from) joins the rotation with its own step engine, as {@link #REFERENCE}.
 *
 * <p>Interleaved with them, unless turned off, the first engine's rollouts are scored teacher-forced
 * ({@link OnnxTeacherForcing}, what {@code score --teacher-forced} runs) on the same model and batch, reported as one
 * more row named {@code teacher-forced}, so its tokens/s stands beside generation's under the same load.
 */
public final class RolloutBench {
    /**
     * What to measure.
     *
     * @param warmupTokens  new tokens per row of each untimed warm-up call
     * @param engines       {@code step} and {@code graph}, as {@code --engine} names them
     * @param prompts       the prompts, row {@code b} of every batch is prompt {@code b}; null for seeded random ids of
     *                      {@code promptTokens} each (see {@link #prompts})
     * @param teacherForced also time teacher-forced scoring of the first engine's rollouts (a second session)
     */
    public record Settings(List<Integer> batchSizes, int promptTokens, int newTokens, int warmups, int warmupTokens,
            int repeats, double temperature, String kernels, EngineOptions engine, List<String> engines,
            List<int[]> prompts, boolean teacherForced) {
        public Settings {
            batchSizes = List.copyOf(batchSizes);
            engines = List.copyOf(engines);
        }

        public static Settings quick() {
            return new Settings(List.of(1, 16), 32, 32, 1, 32, 2, 1.0, "auto", EngineOptions.defaults(),
                    List.of("step", "graph"), null, true);
        }

        public static Settings full() {
            return new Settings(List.of(1, 16), 64, 128, 1, 128, 5, 1.0, "auto", EngineOptions.defaults(),
                    List.of("step", "graph"), null, true);
        }

        SamplingParams sampling(int tokens) {
            return temperature == 0 ? SamplingParams.greedy(tokens) : new SamplingParams(temperature, 0, 1, tokens);
        }
    }

    /**
     * One engine at one batch size, summed over the timed repeats (teacher forcing has no decode steps: NaN);
     * {@code rollouts} are the last repeat's (empty for teacher forcing).
     */
    public record Result(String engine, int batch, int promptTokens, int newTokens, String kernel, long tokens,
            double seconds, double tokensPerSecond, double decodeStepMillis, double outsideOrtShare,
            double signalShare, double overheadShare, long decodeSteps, long compactions, double cpuSeconds,
            List<Rollout> rollouts) {
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

    /** The engine name of the teacher-forced rows. */
    public static final String TEACHER_FORCED = "teacher-forced";
    /** The engine name of the reference model's rows. */
    public static final String REFERENCE = "reference";

    private static final com.sun.management.OperatingSystemMXBean CPU =
            (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();

    private RolloutBench() {}

    /** Runs the bench; {@code progress} hears about every finished {@code generate} call. */
    public static List<Result> run(ModelDirectory model, Settings s, Consumer<String> progress) {
        return run(model, null, s, progress);
    }

    /** As above, with {@code reference} (or null) generating the same prompts in the same rotation. */
    public static List<Result> run(ModelDirectory model, ModelDirectory reference, Settings s,
            Consumer<String> progress) {
        Map<String, RolloutEngine> engines = new LinkedHashMap<>();
        try (OnnxTeacherForcing forcing = s.teacherForced() ? new OnnxTeacherForcing(model, s.engine()) : null) {
            for (String name : s.engines()) {
                engines.put(name, RolloutEngines.open(model, EngineKind.parse(name), s.engine(), s.kernels()));
            }
            if (reference != null) {
                engines.put(REFERENCE, RolloutEngines.open(reference, EngineKind.STEP, s.engine(), s.kernels()));
            }
            SamplingParams params = s.sampling(s.newTokens());
            SamplingParams warmup = s.sampling(s.warmupTokens());
            int widest = s.batchSizes().stream().mapToInt(Integer::intValue).max().orElse(1);
            for (RolloutEngine e : engines.values()) {
                e.warmUp(widest);
            }
            List<Result> results = new ArrayList<>();
            for (int batch : s.batchSizes()) {
                List<RolloutRequest> requests = s.prompts() == null
                        ? prompts(model, batch, s.promptTokens())
                        : given(s.prompts(), batch);
                Map<String, RolloutStats> before = new LinkedHashMap<>();
                for (var e : engines.entrySet()) {
                    for (int i = 0; i < s.warmups(); i++) {
                        List<Rollout> out = e.getValue().generate(requests, warmup);
                        if (before.isEmpty() && forcing != null) {
                            forcing.score(forced(out), params.signalTemperature());
                        }
                        progress.accept("warm-up " + e.getKey() + " batch " + batch);
                    }
                    before.put(e.getKey(), e.getValue().stats());
                }
                ForcingStats forcedBefore = forcing == null ? null : forcing.stats();
                Map<String, List<Rollout>> last = new LinkedHashMap<>();
                Map<String, Long> cpu = new LinkedHashMap<>();
                for (int i = 0; i < s.repeats(); i++) {
                    List<Rollout> first = null;
                    for (var e : engines.entrySet()) {
                        long c0 = CPU.getProcessCpuTime();
                        List<Rollout> out = e.getValue().generate(requests, params);
                        cpu.merge(e.getKey(), CPU.getProcessCpuTime() - c0, Long::sum);
                        last.put(e.getKey(), out);
                        first = first == null ? out : first;
                        progress.accept(e.getKey() + " batch " + batch + " repeat " + (i + 1) + ": "
                                + out.size() + " rollouts");
                    }
                    if (forcing != null) {
                        forcing.score(forced(first), params.signalTemperature());
                    }
                }
                for (var e : engines.entrySet()) {
                    RolloutStats d = e.getValue().stats().minus(before.get(e.getKey()));
                    String kernel = e.getKey().equals("graph") ? "in-graph" : s.kernels();
                    results.add(new Result(e.getKey(), batch, s.promptTokens(), s.newTokens(), kernel, d.tokens(),
                            d.totalNanos() / 1e9, d.tokensPerSecond(),
                            d.decodeNanos() / 1e6 / Math.max(1, d.decodeSteps()), d.decodeOutsideOrtShare(),
                            d.decodeSignalNanos() / (double) Math.max(1, d.decodeNanos()), d.decodeOverheadShare(),
                            d.decodeSteps(), d.compactions(), cpu.getOrDefault(e.getKey(), 0L) / 1e9,
                            last.getOrDefault(e.getKey(), List.of())));
                }
                if (forcing != null) {
                    ForcingStats f = forcing.stats().minus(forcedBefore);
                    results.add(new Result(TEACHER_FORCED, batch, s.promptTokens(), s.newTokens(), "in-graph",
                            f.tokens(), f.totalNanos() / 1e9, f.tokensPerSecond(), Double.NaN, Double.NaN, Double.NaN,
                            Double.NaN, 0, 0, Double.NaN, List.of()));
                }
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
