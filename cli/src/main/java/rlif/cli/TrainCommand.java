package rlif.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import rlif.models.io.OutLock;
import rlif.trainer.config.TrainConfig;
import rlif.trainer.loop.TrainRun;

/** {@code rlif train}: SFT or GRPO (internal, verifiable or mixed rewards) from a YAML config. */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Train a model (LoRA or full; SFT or GRPO) from a YAML config; see docs/training.md.")
public final class TrainCommand implements Callable<Integer> {
    @Option(names = "--config", required = true, paramLabel = "FILE.yaml", description = "training config")
    Path config;

    @Option(names = "--out", paramLabel = "DIR", description = "run directory (default: CONFIG without .yaml, plus -run)")
    Path out;

    @Option(names = "--resume", description = "continue from the latest checkpoint in --out")
    boolean resume;

    @Option(names = "--threads", defaultValue = "0", description = "ONNX Runtime intra-op threads (0 = its default)")
    int threads;

    @Override
    public Integer call() {
        TrainConfig cfg = TrainConfig.read(config);
        Path dir = out != null ? out : defaultOut(config);
        List<Map<String, Object>> rows;
        try (OutLock lock = OutLock.acquire(dir, "train")) {
            OutLock.requireRunDirectory(dir, "train", Set.of("run.json", "metrics.jsonl", "checkpoints"));
            rows = new TrainRun(cfg, dir, resume, threads).run();
        }
        Map<String, Object> lastEval = null;
        for (Map<String, Object> r : rows) {
            if (Boolean.TRUE.equals(r.get("eval"))) {
                lastEval = r;
            }
        }
        System.out.println("trained " + cfg.steps() + " steps into " + dir);
        if (lastEval != null) {
            System.out.println("held-out at step " + lastEval.get("step") + ": accuracy " + lastEval.get("accuracy")
                    + ", token entropy " + lastEval.get("token_entropy") + ", self-certainty " + lastEval.get("self_certainty")
                    + (lastEval.containsKey("eval_loss") ? ", loss " + lastEval.get("eval_loss") : ""));
        }
        System.out.println("metrics: " + dir.resolve("metrics.jsonl") + "  report: " + dir.resolve("report.html"));
        return 0;
    }

    static Path defaultOut(Path config) {
        String name = config.getFileName().toString().replaceFirst("\\.ya?ml$", "");
        return config.toAbsolutePath().getParent().resolve(name + "-run");
    }
}
