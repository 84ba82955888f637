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
import rlif.models.io.AtomicFiles;
import rlif.bench.train.TrainBench;

/** {@code rlif bench train}: tokens/s of a GRPO training step and its split into rollout, training graph and optimiser. */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Tokens/s of a GRPO training step and the split between rollout, training graph and optimiser.")
public final class BenchTrainCommand implements Callable<Integer> {
    @Option(names = "--model", paramLabel = "DIR", description = "model directory of this project's layout (default: a random llama of the arith models' size)")
    Path model;

    @Option(names = "--quick", description = "16 rows, 3 timed steps")
    boolean quick;

    @Option(names = "--full", description = "train every weight instead of LoRA r=8 on q, v, gate")
    boolean full;

    @Option(names = "--json", paramLabel = "FILE", description = "also write the result as JSON")
    Path json;

    @Option(names = "--threads", defaultValue = "0", description = "ONNX Runtime intra-op threads (0 = its default)")
    int threads;

    @Override
    public Integer call() throws Exception {
        TrainBench.Settings base = quick ? TrainBench.Settings.quick() : TrainBench.Settings.standard();
        TrainBench.Settings s = new TrainBench.Settings(base.rows(), base.promptTokens(), base.newTokens(), base.warmups(),
                base.repeats(), full, threads);
        Path work = Files.createTempDirectory("rlif-bench-train");
        try {
            TrainBench.Result r = TrainBench.run(model, s, work);
            double total = r.rolloutSeconds() + r.trainGraphSeconds() + r.optimizerSeconds();
            System.out.printf(Locale.ROOT, "model %s, %s (%d trainable values), %d rows, %.0f tokens per step%n",
                    r.model().startsWith(work.toString()) ? "random llama 3x96 (arith size)" : r.model(), r.trainables(),
                    r.trainableParams(), r.rows(), r.tokensPerStep());
            System.out.printf(Locale.ROOT, "%-16s %10s %8s%n", "phase", "seconds", "share");
            System.out.printf(Locale.ROOT, "%-16s %10.3f %7.1f%%%n", "rollout", r.rolloutSeconds(), 100 * r.rolloutSeconds() / total);
            System.out.printf(Locale.ROOT, "%-16s %10.3f %7.1f%%%n", "training graph", r.trainGraphSeconds(), 100 * r.trainGraphSeconds() / total);
            System.out.printf(Locale.ROOT, "%-16s %10.3f %7.1f%%%n", "optimiser", r.optimizerSeconds(), 100 * r.optimizerSeconds() / total);
            System.out.printf(Locale.ROOT, "training graph: %.0f tokens/s; whole step: %.0f tokens/s%n",
                    r.trainTokensPerSecond(), r.stepTokensPerSecond());
            if (json != null) {
                Map<String, Object> m = TrainBench.toMap(r);
                AtomicFiles.writeString(json, new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(m));
            }
        } finally {
            rlif.models.io.AtomicFiles.deleteRecursively(work);
        }
        return 0;
    }
}
