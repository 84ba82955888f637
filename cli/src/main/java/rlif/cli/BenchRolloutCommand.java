package rlif.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import rlif.bench.rollout.ReferenceComparison;
import rlif.bench.rollout.RolloutBench;
import rlif.evaluator.data.JsonlSource;
import rlif.evaluator.data.Problem;
import rlif.evaluator.data.ProblemSource;
import rlif.evaluator.rollout.Device;
import rlif.evaluator.rollout.EngineOptions;
import rlif.models.BadInputException;
import rlif.models.dir.ModelDirectory;
import rlif.models.io.AtomicFiles;
import rlif.models.progress.Progress;
import rlif.models.progress.ProgressSink;
import rlif.models.tokenizer.ModelTokenizer;

/** {@code rlif bench rollout}: end-to-end rollout throughput at batch 1 and 16, and the Java side's share. */
@Command(name = "rollout", mixinStandardHelpOptions = true,
        description = "Rollout tokens/s per batch size and the share of each decode step outside OrtSession.run.")
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

    @Option(names = "--device", paramLabel = "cpu|cuda", defaultValue = "cpu",
            description = "ONNX Runtime device (default: ${DEFAULT-VALUE})")
    String device;

    @Option(names = "--threads", paramLabel = "N", defaultValue = "0",
            description = "ONNX Runtime intra-op threads, 0 = its default (default: ${DEFAULT-VALUE})")
    int threads;

    @Option(names = "--batch-sizes", split = ",", paramLabel = "B[,B...]",
            description = "batch sizes to time (default: 1,16)")
    List<Integer> batchSizes;

    @Option(names = "--prompt-tokens", paramLabel = "N", description = "length of the random prompts (default: 64; --quick 32)")
    Integer promptTokens;

    @Option(names = "--new-tokens", paramLabel = "N", description = "tokens generated per row (default: 128; --quick 32)")
    Integer newTokens;

    @Option(names = "--prompts", paramLabel = "FILE",
            description = "JSONL rows with prompt_ids (or text, with the model's tokenizer) instead of random prompts;"
                    + " row b of every batch is prompt b")
    Path prompts;

    @Option(names = "--temperature", paramLabel = "T", description = "0 is greedy (default: 1)")
    Double temperature;

    @Option(names = "--ignore-eos", description = "rows generate --new-tokens tokens even past an end-of-sequence token"
            + " (as vLLM's ignore_eos), so engines compared do the same work")
    boolean ignoreEos;

    @Option(names = "--warmups", paramLabel = "N", description = "untimed generate calls per batch size (default: 1)")
    Integer warmups;

    @Option(names = "--warmup-tokens", paramLabel = "N",
            description = "new tokens per row of each warm-up call (default: --new-tokens)")
    Integer warmupTokens;

    @Option(names = "--no-spinning", description = "ONNX Runtime's intra-op threads sleep instead of spinning while"
            + " they wait for work (session.intra_op.allow_spinning = 0)")
    boolean noSpinning;

    @Option(names = "--reference", paramLabel = "DIR",
            description = "also run this model (e.g. the fp32 import a quantized one was made from), interleaved with"
                    + " --model, and compare: tokens/s ratio, greedy agreement, per-token signal differences")
    Path reference;

    @Option(names = "--repeats", paramLabel = "N", description = "timed generate calls per batch size (default: 5; --quick 2)")
    Integer repeats;

    @Override
    public Integer call() throws Exception {
        if (threads < 0) {
            throw new BadInputException("--threads must be >= 0, got " + threads);
        }
        Path dir = model != null ? model : defaultModel();
        ModelDirectory md = ProgressSink.stderr().during("opening model " + dir, () -> ModelDirectory.open(dir));
        RolloutBench.Settings base = quick ? RolloutBench.Settings.quick() : RolloutBench.Settings.full();
        EngineOptions engine = base.engine().withDevice(Device.parse(device)).withThreads(threads)
                .withSpinning(!noSpinning);
        int tokens = positive("--new-tokens", newTokens, base.newTokens());
        RolloutBench.Settings s = new RolloutBench.Settings(
                positive("--batch-sizes", batchSizes, base.batchSizes()),
                positive("--prompt-tokens", promptTokens, base.promptTokens()),
                tokens,
                atLeast("--warmups", warmups, base.warmups(), 0),
                positive("--warmup-tokens", warmupTokens, tokens),
                positive("--repeats", repeats, base.repeats()),
                temperature != null ? temperature : base.temperature(), kernels,
                ignoreEos ? engine.ignoringEos() : engine,
                prompts == null ? null : readPrompts(prompts, md));
        List<ModelDirectory> models = new ArrayList<>(List.of(md));
        if (reference != null) {
            models.add(ProgressSink.stderr().during("opening reference " + reference,
                    () -> ModelDirectory.open(reference)));
            if (models.get(1).config().vocab() != md.config().vocab()) {
                throw new BadInputException("--reference " + reference + " has a vocabulary of "
                        + models.get(1).config().vocab() + ", --model of " + md.config().vocab());
            }
        }
        int calls = s.batchSizes().size() * (s.warmups() + s.repeats()) * models.size();
        List<List<RolloutBench.Result>> all;
        try (Progress bar = ProgressSink.stderr().bar("bench rollout", calls, "calls")) {
            all = RolloutBench.run(models, s, msg -> {
                bar.step();
                bar.message("last: " + msg);
            });
        }
        String machine = machine();
        System.out.println("machine " + machine + ", load average " + loadAverage());
        for (int m = 0; m < models.size(); m++) {
            ModelDirectory d = models.get(m);
            System.out.printf(Locale.ROOT, "%s %s (%s, vocab %d, logits %s), %d prompt + %d new tokens, T=%s, kernels %s%n",
                    m == 0 ? "model" : "reference", d.dir().getFileName(), d.config().architecture(), d.config().vocab(),
                    d.config().logitsType(), s.promptTokens(), s.newTokens(), s.temperature(), all.get(m).get(0).kernel());
            System.out.printf(Locale.ROOT, "%6s %12s %14s %14s %16s %14s %16s%n", "batch", "tokens/s", "tokens/cpu-s",
                    "ms/decode step", "outside ORT run", "signal kernel", "other Java side");
            for (RolloutBench.Result r : all.get(m)) {
                System.out.printf(Locale.ROOT, "%6d %12.1f %14.1f %14.3f %15.1f%% %13.1f%% %15.1f%%%n", r.batch(),
                        r.tokensPerSecond(), r.tokensPerCpuSecond(), r.decodeStepMillis(), 100 * r.outsideOrtShare(),
                        100 * r.signalShare(), 100 * r.overheadShare());
            }
        }
        List<ReferenceComparison> comparisons = new ArrayList<>();
        if (reference != null) {
            System.out.printf(Locale.ROOT, "%6s %10s %10s %15s %13s %14s %23s %23s %23s%n", "batch", "x speed", "x per cpu",
                    "identical rows",
                    "divergence", "tokens compared", "|d entropy| max/mean", "|d self-cert| max/mean",
                    "|d logprob| max/mean");
            for (int i = 0; i < all.get(0).size(); i++) {
                RolloutBench.Result a = all.get(0).get(i);
                RolloutBench.Result b = all.get(1).get(i);
                ReferenceComparison c = ReferenceComparison.of(a.rollouts(), b.rollouts());
                comparisons.add(c);
                System.out.printf(Locale.ROOT, "%6d %10.2f %10.2f %15s %13s %14d %11.2e/%-11.2e %11.2e/%-11.2e %11.2e/%-11.2e%n",
                        a.batch(), a.tokensPerSecond() / b.tokensPerSecond(),
                        a.tokensPerCpuSecond() / b.tokensPerCpuSecond(), c.identicalRows() + "/" + c.rows(),
                        "min " + java.util.Arrays.stream(c.firstDivergence()).min().orElse(0), c.comparedTokens(),
                        c.maxEntropy(), c.meanEntropy(), c.maxSelfCertainty(), c.meanSelfCertainty(), c.maxLogprob(),
                        c.meanLogprob());
            }
        }
        if (json != null) {
            writeJson(json, machine, models, all, comparisons);
        }
        return 0;
    }

    private static String loadAverage() {
        return String.format(Locale.ROOT, "%.2f",
                java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    }

    private static int positive(String flag, Integer given, int fallback) {
        return atLeast(flag, given, fallback, 1);
    }

    private static int atLeast(String flag, Integer given, int fallback, int min) {
        if (given == null) {
            return fallback;
        }
        if (given < min) {
            throw new BadInputException(flag + " must be >= " + min + ", got " + given);
        }
        return given;
    }

    private static List<Integer> positive(String flag, List<Integer> given, List<Integer> fallback) {
        if (given == null) {
            return fallback;
        }
        for (int b : given) {
            positive(flag, b, b);
        }
        return List.copyOf(given);
    }

    /** Every row of {@code file} as prompt ids (text rows through the model's tokenizer). */
    private static List<int[]> readPrompts(Path file, ModelDirectory md) {
        List<int[]> out = new ArrayList<>();
        ModelTokenizer tokenizer = null;
        try (ProblemSource.Problems it = new JsonlSource(file).open()) {
            while (it.hasNext()) {
                Problem p = it.next();
                if (p.hasText() && tokenizer == null) {
                    tokenizer = md.openTokenizer();
                }
                int[] ids = p.hasText() ? tokenizer.encode(p.promptText(), true) : p.promptIds();
                ModelTokenizer.requireEmbeddable(ids, md.config().vocab(), p.where());
                out.add(ids);
            }
        } finally {
            if (tokenizer != null) {
                tokenizer.close();
            }
        }
        if (out.isEmpty()) {
            throw new BadInputException("--prompts " + file + " has no rows");
        }
        return out;
    }

    private static void writeJson(Path file, String machine, List<ModelDirectory> models,
            List<List<RolloutBench.Result>> all, List<ReferenceComparison> comparisons) {
        if (Files.isDirectory(file)) {
            throw new BadInputException("--json " + file + " is a directory");
        }
        ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode root = mapper.createObjectNode();
        root.put("machine", machine);
        root.put("load_average", loadAverage());
        root.put("model", models.get(0).dir().toString());
        results(root.putArray("results"), all.get(0));
        if (models.size() > 1) {
            root.put("reference", models.get(1).dir().toString());
            results(root.putArray("reference_results"), all.get(1));
            ArrayNode cs = root.putArray("comparison");
            for (int i = 0; i < comparisons.size(); i++) {
                ReferenceComparison c = comparisons.get(i);
                ObjectNode o = cs.addObject();
                o.put("batch", all.get(0).get(i).batch());
                o.put("speed_ratio", all.get(0).get(i).tokensPerSecond() / all.get(1).get(i).tokensPerSecond());
                o.put("speed_ratio_per_cpu_second",
                        all.get(0).get(i).tokensPerCpuSecond() / all.get(1).get(i).tokensPerCpuSecond());
                o.put("rows", c.rows());
                o.put("identical_rows", c.identicalRows());
                ArrayNode first = o.putArray("first_divergence");
                for (int k : c.firstDivergence()) {
                    first.add(k);
                }
                o.put("compared_tokens", c.comparedTokens());
                o.put("max_abs_entropy_difference", c.maxEntropy());
                o.put("mean_abs_entropy_difference", c.meanEntropy());
                o.put("max_abs_self_certainty_difference", c.maxSelfCertainty());
                o.put("mean_abs_self_certainty_difference", c.meanSelfCertainty());
                o.put("max_abs_logprob_difference", c.maxLogprob());
                o.put("mean_abs_logprob_difference", c.meanLogprob());
            }
        }
        try {
            AtomicFiles.writeString(file, mapper.writeValueAsString(root) + "\n");
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void results(ArrayNode rows, List<RolloutBench.Result> results) {
        for (RolloutBench.Result r : results) {
            ObjectNode o = rows.addObject();
            o.put("batch", r.batch());
            o.put("prompt_tokens", r.promptTokens());
            o.put("new_tokens", r.newTokens());
            o.put("kernel", r.kernel());
            o.put("tokens", r.tokens());
            o.put("seconds", r.seconds());
            o.put("tokens_per_second", r.tokensPerSecond());
            o.put("cpu_seconds", r.cpuSeconds());
            o.put("tokens_per_cpu_second", r.tokensPerCpuSecond());
            o.put("decode_step_ms", r.decodeStepMillis());
            o.put("outside_ort_share", r.outsideOrtShare());
            o.put("signal_kernel_share", r.signalShare());
            o.put("other_java_share", r.overheadShare());
            o.put("decode_steps", r.decodeSteps());
            ArrayNode completions = o.putArray("completion_ids");
            for (int[] ids : r.completions()) {
                ArrayNode row = completions.addArray();
                for (int id : ids) {
                    row.add(id);
                }
            }
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

    private static String machine() {
        return System.getProperty("os.name") + " " + System.getProperty("os.arch") + ", "
                + Runtime.getRuntime().availableProcessors() + " cpus, Java " + Runtime.version();
    }
}
