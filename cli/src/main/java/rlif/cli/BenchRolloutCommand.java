package rlif.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import rlif.bench.rollout.RolloutBench;
import rlif.evaluator.rollout.SamplingParams;
import rlif.models.BadInputException;
import rlif.models.dir.ModelDirectory;
import rlif.models.io.AtomicFiles;
import rlif.models.progress.Progress;
import rlif.models.progress.ProgressSink;

/**
 * {@code rlif bench rollout}: end-to-end rollout throughput of the step engine and the generation graph, side by side,
 * at batch 1 and 16, and the Java side's share of a decode step.
 */
@Command(name = "rollout", mixinStandardHelpOptions = true,
        description = "Rollout tokens/s of each engine at batch 1 and 16, interleaved in one run, the share of each"
                + " decode step outside OrtSession.run, and the same rollouts' tokens/s scored teacher-forced"
                + " (score --teacher-forced's engine).")
public final class BenchRolloutCommand implements Callable<Integer> {
    @Option(names = "--model", paramLabel = "DIR",
            description = "model directory (default: the shared tiny-random-llama-fp16 fixture)")
    Path model;

    @Option(names = "--quick", description = "fewer and shorter rollouts (a few seconds)")
    boolean quick;

    @Option(names = "--json", paramLabel = "FILE", description = "also write the results as JSON")
    Path json;

    @Option(names = "--kernels", paramLabel = "auto|scalar|vector|tornado", defaultValue = "auto",
            description = "signal kernel backend (default: ${DEFAULT-VALUE})")
    String kernels;

    @Mixin
    DeviceOption device;

    @Option(names = "--engines", defaultValue = "step,graph", split = ",", paramLabel = "step,graph",
            description = "engines to time, interleaved (default: ${DEFAULT-VALUE})")
    List<String> engines;

    @Option(names = "--temperature", paramLabel = "T", defaultValue = "1.0",
            description = "sampling temperature, 0 = greedy: both engines then generate the same tokens (default: ${DEFAULT-VALUE})")
    double temperature;

    @Option(names = "--threads", paramLabel = "N", defaultValue = "0",
            description = "ONNX Runtime intra-op threads, 0 = its default (default: ${DEFAULT-VALUE})")
    int threads;

    @Override
    public Integer call() throws Exception {
        if (threads < 0) {
            throw new BadInputException("--threads must be >= 0, got " + threads);
        }
        List<String> kinds = engines.stream().map(e -> e.toLowerCase(Locale.ROOT)).distinct().toList();
        for (String k : kinds) {
            if (!List.of("step", "graph").contains(k)) {
                throw new BadInputException("--engines takes step and graph, got '" + k + "'");
            }
        }
        Path dir = model != null ? model : defaultModel();
        ModelDirectory md = ProgressSink.stderr().during("opening model " + dir, () -> ModelDirectory.open(dir));
        RolloutBench.Settings base = quick ? RolloutBench.Settings.quick() : RolloutBench.Settings.full();
        RolloutBench.Settings s = new RolloutBench.Settings(base.batchSizes(), base.promptTokens(), base.newTokens(),
                base.warmups(), base.repeats(), new SamplingParams(temperature, 0, 1, 1).temperature(), kernels,
                base.engine().withDevice(device.device()).withThreads(threads), kinds);
        int calls = s.batchSizes().size() * (s.warmups() + s.repeats()) * kinds.size();
        List<RolloutBench.Result> results;
        try (Progress bar = ProgressSink.stderr().bar("bench rollout", calls, "calls")) {
            results = RolloutBench.run(md, s, msg -> {
                bar.step();
                bar.message("last: " + msg);
            });
        }
        String machine = machine();
        System.out.printf(Locale.ROOT, "model %s (%s, vocab %d, logits %s), %d prompt + %d new tokens, T=%s, kernels %s%n",
                md.dir().getFileName(), md.config().architecture(), md.config().vocab(), md.config().logitsType(),
                s.promptTokens(), s.newTokens(), s.temperature(), kernels);
        System.out.println("machine " + machine + ", load average " + loadAverage());
        System.out.printf(Locale.ROOT, "%-18s %6s %10s %12s %9s %14s %16s %14s %16s%n", "engine", "batch", "tokens",
                "tokens/s", "vs step", "ms/decode step", "outside ORT run", "signal kernel", "other Java side");
        for (RolloutBench.Result r : results) {
            double step = results.stream().filter(o -> o.batch() == r.batch() && o.engine().equals("step"))
                    .mapToDouble(RolloutBench.Result::tokensPerSecond).findFirst().orElse(Double.NaN);
            if (Double.isNaN(r.decodeStepMillis())) { // teacher forcing: one pass, no decode steps
                System.out.printf(Locale.ROOT, "%-18s %6d %10d %12.1f %8.2fx %14s %16s %14s %16s%n", r.engine(),
                        r.batch(), r.tokens(), r.tokensPerSecond(), r.tokensPerSecond() / step, "-", "-", "-", "-");
                continue;
            }
            System.out.printf(Locale.ROOT, "%-18s %6d %10d %12.1f %8.2fx %14.3f %15.1f%% %13.1f%% %15.1f%%%n",
                    r.engine(), r.batch(), r.tokens(), r.tokensPerSecond(), r.tokensPerSecond() / step,
                    r.decodeStepMillis(), 100 * r.outsideOrtShare(), 100 * r.signalShare(), 100 * r.overheadShare());
        }
        if (json != null) {
            writeJson(json, machine, md, results);
        }
        return 0;
    }

    private static void writeJson(Path file, String machine, ModelDirectory md, List<RolloutBench.Result> results) {
        if (Files.isDirectory(file)) {
            throw new BadInputException("--json " + file + " is a directory");
        }
        ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode root = mapper.createObjectNode();
        root.put("machine", machine);
        root.put("model", md.dir().toString());
        ArrayNode rows = root.putArray("results");
        for (RolloutBench.Result r : results) {
            ObjectNode o = rows.addObject();
            o.put("engine", r.engine());
            o.put("batch", r.batch());
            o.put("prompt_tokens", r.promptTokens());
            o.put("new_tokens", r.newTokens());
            o.put("kernel", r.kernel());
            o.put("tokens", r.tokens());
            o.put("seconds", r.seconds());
            o.put("tokens_per_second", r.tokensPerSecond());
            if (!Double.isNaN(r.decodeStepMillis())) {
                o.put("decode_step_ms", r.decodeStepMillis());
                o.put("outside_ort_share", r.outsideOrtShare());
                o.put("signal_kernel_share", r.signalShare());
                o.put("other_java_share", r.overheadShare());
                o.put("decode_steps", r.decodeSteps());
            }
        }
        try {
            AtomicFiles.writeString(file, mapper.writeValueAsString(root) + "\n");
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Path defaultModel() {
        String home = System.getProperty("rlif.home", ".");
        Path p = Path.of(home).resolve("../shared/fixtures/ort-genai/tiny-random-llama-fp16").normalize();
        if (!Files.isDirectory(p)) {
            throw new BadInputException("no --model given and the default fixture " + p
                    + " is missing (../shared next to the repository)");
        }
        return p;
    }

    /** The 1-minute load average, or "n/a" where /proc/loadavg does not exist. */
    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+")[0];
        } catch (java.io.IOException | RuntimeException e) {
            return "n/a";
        }
    }

    private static String machine() {
        return System.getProperty("os.name") + " " + System.getProperty("os.arch") + ", "
                + Runtime.getRuntime().availableProcessors() + " cpus, Java " + Runtime.version();
    }
}
