package rlif.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import rlif.evaluator.report.Digits;
import rlif.models.BadInputException;
import rlif.models.io.OutLock;
import rlif.trainer.config.ConfigOverrides;
import rlif.trainer.config.TrainConfig;
import rlif.trainer.loop.Compute;
import rlif.trainer.loop.TrainRun;

/** {@code rlif train}: SFT or GRPO (internal, verifiable or mixed rewards) from a YAML config. */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Train a model (LoRA or full; SFT or GRPO) from a YAML config whose sft: or grpo: section"
                + " takes TRL's SFTConfig / GRPOConfig names; see docs/training.md.")
public final class TrainCommand implements Callable<Integer> {
    @Option(names = "--config", required = true, paramLabel = "FILE.yaml", description = "training config")
    Path config;

    @Option(names = "--set", paramLabel = "KEY=VALUE",
            description = "override a config key by its dotted path, e.g. --set grpo.max_steps=10 (repeatable)")
    List<String> overrides = new ArrayList<>();

    @Option(names = "--out", paramLabel = "DIR",
            description = "run directory (default: runs/CONFIG-NAME in the current directory, never beside the config)")
    Path out;

    @Option(names = "--resume", description = "continue from the latest checkpoint in --out")
    boolean resume;

    @Option(names = "--threads", defaultValue = "0", description = "ONNX Runtime intra-op threads (0 = its default)")
    int threads;

    @Mixin
    DeviceOption device;

    @Override
    public Integer call() {
        List<ConfigOverrides.Override> sets = overrides.stream().map(ConfigOverrides.Override::parse).toList();
        TrainConfig cfg = TrainConfig.read(config, sets);
        Path dir = out != null ? out : defaultOut(config);
        List<Map<String, Object>> rows;
        try (OutLock lock = OutLock.acquire(dir, "train")) {
            OutLock.requireRunDirectory(dir, "train", Set.of("run.json", "metrics.jsonl", "checkpoints"));
            rows = new TrainRun(cfg, dir, resume, new Compute(threads, device.device())).run();
        }
        Map<String, Object> lastEval = null;
        long skipped = 0;
        for (Map<String, Object> r : rows) {
            if (Boolean.TRUE.equals(r.get("eval"))) {
                lastEval = r;
            } else if (r.get("skipped_steps") instanceof Number n) {
                skipped += n.longValue();
            }
        }
        System.out.println("trained " + cfg.steps() + " steps into " + dir
                + (skipped > 0 ? " (" + skipped + " skipped: see metrics.jsonl)" : ""));
        if (lastEval != null) {
            System.out.println("held-out at step " + lastEval.get("step") + ": accuracy " + num(lastEval.get("accuracy"))
                    + ", token entropy " + num(lastEval.get("token_entropy")) + ", self-certainty "
                    + num(lastEval.get("self_certainty"))
                    + (lastEval.containsKey("eval_loss") ? ", loss " + num(lastEval.get("eval_loss")) : ""));
        }
        rows.stream().filter(r -> Boolean.TRUE.equals(r.get("gate"))).reduce((a, b) -> b).ifPresent(g -> System.out.println(
                "gate: " + g.get("verdict") + " (slope " + num(g.get("reward_slope")) + " per step +- "
                        + num(g.get("reward_slope_stderr")) + ", t " + num(g.get("reward_slope_t")) + ")"));
        System.out.println("metrics: " + dir.resolve("metrics.jsonl") + "  report: " + dir.resolve("report.html"));
        String nothing = TrainRun.nothingLearned(rows, cfg.steps());
        if (nothing != null) {
            throw new BadInputException(nothing + "; see " + dir.resolve("metrics.jsonl"));
        }
        return 0;
    }

    /**
     * {@code runs/<config name>} under the current directory: a run never lands beside its config, where it
     * would fill a checkout's {@code docs/examples/} with checkpoints.
     */
    static Path defaultOut(Path config) {
        String name = config.getFileName().toString().replaceFirst("\\.ya?ml$", "");
        return Path.of("runs", name).toAbsolutePath();
    }

    /** A metric to four significant digits ({@code 0.07213}, not {@code 0.07212501233097192}). */
    private static String num(Object value) {
        return value instanceof Number n ? Digits.of(n.doubleValue()) : String.valueOf(value);
    }
}
