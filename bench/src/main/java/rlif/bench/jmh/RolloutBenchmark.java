package rlif.bench.jmh;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import rlif.bench.rollout.RolloutBench;
import rlif.evaluator.rollout.EngineOptions;
import rlif.evaluator.rollout.OnnxRolloutEngine;
import rlif.evaluator.rollout.Rollout;
import rlif.evaluator.rollout.RolloutRequest;
import rlif.evaluator.rollout.RolloutStats;
import rlif.evaluator.rollout.SamplingParams;
import rlif.kernels.SignalKernels;
import rlif.models.dir.ModelDirectory;

/**
 * JMH view of end-to-end rollouts: one {@code generate} of {@code batch} prompts of 32 tokens, 32 new
 * tokens each, on the llama fp16 fixture (or {@code -Drlif.bench.model=DIR}). Tokens/s is operations/s
 * times {@code batch * 32}; the tear-down prints the decode steps' share outside {@code OrtSession.run}.
 * {@code rlif bench rollout} measures the same thing without JMH.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class RolloutBenchmark {
    private static final int PROMPT_TOKENS = 32;
    private static final int NEW_TOKENS = 32;

    @Param({"1", "16"})
    int batch;

    @Param({"1.0"})
    double temperature;

    private OnnxRolloutEngine engine;
    private List<RolloutRequest> requests;
    private SamplingParams params;
    private RolloutStats before;

    @Setup(Level.Trial)
    public void setUp() {
        ModelDirectory model = ModelDirectory.open(modelDir());
        engine = new OnnxRolloutEngine(model, EngineOptions.defaults(), SignalKernels.create("auto"));
        requests = RolloutBench.prompts(model, batch, PROMPT_TOKENS);
        params = temperature == 0 ? SamplingParams.greedy(NEW_TOKENS) : new SamplingParams(temperature, 0, 1, NEW_TOKENS);
        before = engine.stats();
    }

    @Benchmark
    public List<Rollout> generate() {
        return engine.generate(requests, params);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        RolloutStats d = engine.stats().minus(before);
        System.out.printf("%nbatch %d: %.1f tokens/s, %.1f%% of decode steps outside OrtSession.run (%.1f%% signal kernel)%n",
                batch, d.tokensPerSecond(), 100 * d.decodeOutsideOrtShare(),
                100.0 * d.decodeSignalNanos() / Math.max(1, d.decodeNanos()));
        engine.close();
    }

    private static Path modelDir() {
        String explicit = System.getProperty("rlif.bench.model");
        if (explicit != null) {
            return Path.of(explicit);
        }
        for (Path p : List.of(Path.of("../shared"), Path.of("../../shared"))) {
            Path fixture = p.resolve("fixtures/ort-genai/tiny-random-llama-fp16");
            if (Files.isDirectory(fixture)) {
                return fixture;
            }
        }
        throw new IllegalStateException("../shared is missing: set -Drlif.bench.model=DIR");
    }
}
