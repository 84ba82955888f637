package rlif.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import rlif.bench.train.TrainBench;
import rlif.models.BadInputException;
import rlif.models.io.AtomicFiles;

/**
 * {@code rlif bench train}: seconds per GRPO step, its split into rollout, training graph and optimiser,
 * tokens/s and peak resident memory, on random prompts (default) or on a real model and data set
 * ({@code --model DIR --data FILE}: {@code rlif train}'s own loop).
 */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Seconds per GRPO step, the split between rollout, training graph and optimiser, tokens/s and"
                + " peak RSS; on random prompts, or with --model and --data on a real model and data set.")
public final class BenchTrainCommand implements Callable<Integer> {
    @Option(names = "--model", paramLabel = "DIR", description = "model directory of this project's layout (default: a random llama of the arith models' size)")
    Path model;

    @Option(names = "--data", paramLabel = "FILE.jsonl",
            description = "with --model: time rlif train itself (LoRA GRPO, verifiable reward, chat prompts) on this data")
    Path data;

    @Option(names = "--quick", description = "random prompts: 16 rows, 3 timed steps; --data: 2 prompts x 4, 64 tokens, 2 timed steps")
    boolean quick;

    @Option(names = "--full", description = "random prompts: train every weight instead of LoRA r=8 on q, v, gate")
    boolean full;

    @Option(names = "--micro-batch", paramLabel = "N", description = "rows per training-graph run (default: the whole step for random prompts)")
    Integer microBatch;

    @Option(names = "--json", paramLabel = "FILE", description = "also write the result as JSON")
    Path json;

    @Option(names = "--threads", defaultValue = "0", description = "ONNX Runtime intra-op threads (0 = its default)")
    int threads;

    @Override
    public Integer call() throws Exception {
        if (data != null && model == null) {
            throw new BadInputException("--data needs --model (the real model to train)");
        }
        if (microBatch != null && microBatch < 1) {
            throw new BadInputException("--micro-batch must be >= 1, got " + microBatch);
        }
        Path work = Files.createTempDirectory("rlif-bench-train");
        try {
            TrainBench.Result r;
            if (data != null) {
                TrainBench.RealSettings b = quick ? TrainBench.RealSettings.quick() : TrainBench.RealSettings.standard();
                TrainBench.RealSettings s = new TrainBench.RealSettings(b.prompts(), b.generations(), b.newTokens(),
                        microBatch != null ? microBatch : b.microBatch(), b.rolloutBatch(), b.steps(), b.promptFormat(), threads);
                System.out.printf(Locale.ROOT, "rlif train on %s: %d prompts x %d completions, up to %d new tokens,"
                        + " micro-batches of %d%n", data.getFileName(), s.prompts(), s.generations(), s.newTokens(), s.microBatch());
                r = TrainBench.real(model, data, s, work);
            } else {
                TrainBench.Settings b = quick ? TrainBench.Settings.quick() : TrainBench.Settings.standard();
                TrainBench.Settings s = new TrainBench.Settings(b.rows(), b.promptTokens(), b.newTokens(), b.warmups(),
                        b.repeats(), full, threads, microBatch != null ? microBatch : b.rows());
                r = TrainBench.run(model, s, work);
            }
            print(r, work);
            if (json != null) {
                Map<String, Object> m = TrainBench.toMap(r);
                AtomicFiles.writeString(json, new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(m));
            }
        } finally {
            AtomicFiles.deleteRecursively(work);
        }
        return 0;
    }

    private static void row(String phase, double seconds, double total, Double cpu) {
        System.out.printf(Locale.ROOT, "%-16s %10.3f %7.1f%% %12s%n", phase, seconds, 100 * seconds / total,
                cpu == null ? "" : String.format(Locale.ROOT, "%.3f", cpu));
    }

    private static void print(TrainBench.Result r, Path work) {
        double total = r.stepSeconds();
        System.out.printf(Locale.ROOT, "model %s, %s%s, %d rows, %.0f tokens per step%n",
                r.model().startsWith(work.toString()) ? "random llama 3x96 (arith size)" : r.model(), r.trainables(),
                r.trainableParams() >= 0 ? " (" + r.trainableParams() + " trainable values)" : "", r.rows(), r.tokensPerStep());
        TrainBench.CpuSeconds c = r.cpu();
        System.out.printf(Locale.ROOT, "%-16s %10s %8s %12s%n", "phase", "seconds", "share", c == null ? "" : "cpu seconds");
        row("rollout", r.rolloutSeconds(), total, c == null ? null : c.rollout());
        row("training graph", r.trainGraphSeconds(), total, c == null ? null : c.trainGraph());
        row("optimiser", r.optimizerSeconds(), total, c == null ? null : c.optimizer());
        if (c != null) {
            System.out.printf(Locale.ROOT, "step: %.3f cpu seconds (%s)%n", c.step(),
                    "the calling thread's with --threads 1, else the process's");
        }
        System.out.printf(Locale.ROOT, "step: %.3f s; training graph: %.0f tokens/s; whole step: %.0f tokens/s; peak RSS %s%n",
                total, r.trainTokensPerSecond(), r.stepTokensPerSecond(),
                r.peakRssBytes() < 0 ? "unknown" : String.format(Locale.ROOT, "%.2f GB", r.peakRssBytes() / 1e9));
    }
}
