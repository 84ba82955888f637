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
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import rlif.bench.rollout.ReferenceComparison;
import rlif.bench.rollout.RolloutBench;
import rlif.evaluator.data.JsonlSource;
import rlif.evaluator.data.Problem;
import rlif.evaluator.data.ProblemSource;
import rlif.evaluator.rollout.EngineOptions;
import rlif.evaluator.rollout.OnnxRolloutEngine;
import rlif.evaluator.rollout.SamplingParams;
import rlif.evaluator.rollout.Spinning;
import rlif.models.BadInputException;
import rlif.models.dir.ModelDirectory;
import rlif.models.io.AtomicFiles;
import rlif.models.progress.Progress;
import rlif.models.progress.ProgressSink;
import rlif.models.tokenizer.ModelTokenizer;

/**
 * {@code rlif bench rollout}: end-to-end rollout throughput of the step engine and the generation graph, side by side,
 * at batch 1 and 16, and the Java side's share of a decode step.
 */
@Command(name = "rollout", mixinStandardHelpOptions = true,
        description = "Rollout tokens/s of each engine per batch size (default 1 and 16), interleaved in one run, the share of each"
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
            description = "ONNX Runtime intra-op threads of the decoder, 0 = one for a decoder under 1 MiB of weights, else"
                    + " ONNX Runtime's default (default: ${DEFAULT-VALUE})")
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

    @Option(names = "--ignore-eos", description = "rows generate --new-tokens tokens even past an end-of-sequence token"
            + " (as vLLM's ignore_eos), so engines compared do the same work")
    boolean ignoreEos;

    @Option(names = "--warmups", paramLabel = "N", description = "untimed generate calls per batch size (default: 1)")
    Integer warmups;

    @Option(names = "--warmup-tokens", paramLabel = "N",
            description = "new tokens per row of each warm-up call (default: --new-tokens)")
    Integer warmupTokens;

    @Option(names = "--repeats", paramLabel = "N", description = "timed generate calls per batch size (default: 5; --quick 2)")
    Integer repeats;

    @Option(names = "--spinning", paramLabel = "auto|on|off", defaultValue = "auto",
            description = "whether ONNX Runtime's intra-op threads spin while they wait for work"
                    + " (session.intra_op.allow_spinning); auto: off when other processes keep at least half the"
                    + " processors busy as the sessions open (default: ${DEFAULT-VALUE})")
    String spinning;

    @Option(names = "--arena", paramLabel = "on|off", defaultValue = "on",
            description = "ONNX Runtime's CPU memory arena for the decoding sessions, as score uses it"
                    + " (default: ${DEFAULT-VALUE})")
    String arena;

    @Option(names = "--present-buffers", paramLabel = "on|off", defaultValue = "on",
            description = "decode steps write their key/values into the engine's own buffers (on, as score does) or into"
                    + " tensors ONNX Runtime allocates each step (off) (default: ${DEFAULT-VALUE})")
    String presentBuffers;

    @Option(names = "--no-teacher-forced", description = "do not also time teacher-forced scoring (which opens a"
            + " second session on the model)")
    boolean noTeacherForced;

    @Option(names = "--reference", paramLabel = "DIR",
            description = "also run this model's step engine (e.g. the fp32 import a quantized one was made from),"
                    + " interleaved, and compare it with --model's first engine: tokens/s ratio, greedy agreement,"
                    + " per-token signal differences")
    Path reference;

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
        boolean arenaOn = onOff("--arena", arena);
        boolean presentBuffersOn = onOff("--present-buffers", presentBuffers);
        // Resolved once, before anything runs, so every session of the run spins alike and the header can say which.
        Spinning spins = Spinning.parse(spinning).spinsNow() ? Spinning.ON : Spinning.OFF;
        Path dir = model != null ? model : defaultModel();
        ModelDirectory md = ProgressSink.stderr().during("opening model " + dir, () -> ModelDirectory.open(dir));
        RolloutBench.Settings base = quick ? RolloutBench.Settings.quick() : RolloutBench.Settings.full();
        EngineOptions engine = base.engine().withDevice(device.device()).withThreads(threads).withSpinning(spins)
                .withArena(arenaOn);
        if (!presentBuffersOn) {
            engine = engine.withPresentBufferBudget(0);
        }
        int tokens = positive("--new-tokens", newTokens, base.newTokens());
        RolloutBench.Settings s = new RolloutBench.Settings(
                positive("--batch-sizes", batchSizes, base.batchSizes()),
                positive("--prompt-tokens", promptTokens, base.promptTokens()),
                tokens,
                atLeast("--warmups", warmups, base.warmups(), 0),
                positive("--warmup-tokens", warmupTokens, tokens),
                positive("--repeats", repeats, base.repeats()),
                new SamplingParams(temperature, 0, 1, 1).temperature(), kernels,
                ignoreEos ? engine.ignoringEos() : engine, kinds,
                prompts == null ? null : readPrompts(prompts, md), !noTeacherForced);
        ModelDirectory ref = null;
        if (reference != null) {
            ref = ProgressSink.stderr().during("opening reference " + reference, () -> ModelDirectory.open(reference));
            if (ref.config().vocab() != md.config().vocab()) {
                throw new BadInputException("--reference " + reference + " has a vocabulary of " + ref.config().vocab()
                        + ", --model of " + md.config().vocab());
            }
        }
        int calls = s.batchSizes().size() * (s.warmups() + s.repeats()) * (kinds.size() + (ref == null ? 0 : 1));
        List<RolloutBench.Result> results;
        ModelDirectory referenceModel = ref;
        try (Progress bar = ProgressSink.stderr().bar("bench rollout", calls, "calls")) {
            results = RolloutBench.run(md, referenceModel, s, msg -> {
                bar.step();
                bar.message("last: " + msg);
            });
        }
        String machine = machine();
        System.out.printf(Locale.ROOT, "model %s (%s, vocab %d, logits %s), %d prompt + %d new tokens, T=%s, kernels %s%n",
                md.dir().getFileName(), md.config().architecture(), md.config().vocab(), md.config().logitsType(),
                s.promptTokens(), s.newTokens(), s.temperature(), kernels);
        if (ref != null) {
            System.out.println("reference " + ref.dir());
        }
        int decoderThreads = OnnxRolloutEngine.intraOpThreads(md.config(), s.engine());
        System.out.println("machine " + machine + ", load average " + loadAverage() + ", ORT threads spin "
                + (s.engine().spinning() == Spinning.ON ? "on" : "off") + ", decoder intra-op threads "
                + (decoderThreads == 0 ? "ORT's default" : String.valueOf(decoderThreads)));
        System.out.printf(Locale.ROOT, "%-18s %6s %10s %12s %14s %9s %14s %16s %14s %16s%n", "engine", "batch", "tokens",
                "tokens/s", "tokens/cpu-s", "vs step", "ms/decode step", "outside ORT run", "signal kernel",
                "other Java side");
        for (RolloutBench.Result r : results) {
            double step = results.stream().filter(o -> o.batch() == r.batch() && o.engine().equals("step"))
                    .mapToDouble(RolloutBench.Result::tokensPerSecond).findFirst().orElse(Double.NaN);
            if (Double.isNaN(r.decodeStepMillis())) { // teacher forcing: one pass, no decode steps
                System.out.printf(Locale.ROOT, "%-18s %6d %10d %12.1f %14s %8.2fx %14s %16s %14s %16s%n", r.engine(),
                        r.batch(), r.tokens(), r.tokensPerSecond(), "-", r.tokensPerSecond() / step, "-", "-", "-", "-");
                continue;
            }
            System.out.printf(Locale.ROOT, "%-18s %6d %10d %12.1f %14.1f %8.2fx %14.3f %15.1f%% %13.1f%% %15.1f%%%n",
                    r.engine(), r.batch(), r.tokens(), r.tokensPerSecond(), r.tokensPerCpuSecond(),
                    r.tokensPerSecond() / step, r.decodeStepMillis(), 100 * r.outsideOrtShare(), 100 * r.signalShare(),
                    100 * r.overheadShare());
        }
        List<Comparison> comparisons = ref == null ? List.of() : compare(results, kinds.getFirst());
        if (!comparisons.isEmpty()) {
            System.out.printf(Locale.ROOT, "%-18s %6s %10s %10s %15s %13s %14s %23s %23s %23s%n", "vs reference", "batch",
                    "x speed", "x per cpu", "identical rows", "divergence", "tokens compared", "|d entropy| max/mean",
                    "|d self-cert| max/mean", "|d logprob| max/mean");
            for (Comparison cmp : comparisons) {
                ReferenceComparison c = cmp.c();
                System.out.printf(Locale.ROOT,
                        "%-18s %6d %10.2f %10.2f %15s %13s %14d %11.2e/%-11.2e %11.2e/%-11.2e %11.2e/%-11.2e%n",
                        kinds.getFirst(), cmp.batch(), cmp.speed(), cmp.cpuSpeed(), c.identicalRows() + "/" + c.rows(),
                        "min " + java.util.Arrays.stream(c.firstDivergence()).min().orElse(0), c.comparedTokens(),
                        c.maxEntropy(), c.meanEntropy(), c.maxSelfCertainty(), c.meanSelfCertainty(), c.maxLogprob(),
                        c.meanLogprob());
            }
        }
        if (json != null) {
            writeJson(json, machine, s.engine().spinning() == Spinning.ON, md, ref, results, comparisons);
        }
        return 0;
    }

    /** --model's first engine against the reference at one batch size. */
    private record Comparison(int batch, double speed, double cpuSpeed, ReferenceComparison c) {}

    /** An on|off flag's value; anything else is bad input naming the flag. */
    private static boolean onOff(String flag, String value) {
        if (!value.equals("on") && !value.equals("off")) {
            throw new BadInputException(flag + " " + value + " is not one of on, off");
        }
        return value.equals("on");
    }

    private static List<Comparison> compare(List<RolloutBench.Result> results, String engine) {
        List<Comparison> out = new ArrayList<>();
        for (RolloutBench.Result a : results) {
            if (!a.engine().equals(engine)) {
                continue;
            }
            RolloutBench.Result b = results.stream()
                    .filter(r -> r.batch() == a.batch() && r.engine().equals(RolloutBench.REFERENCE)).findFirst()
                    .orElseThrow();
            out.add(new Comparison(a.batch(), a.tokensPerSecond() / b.tokensPerSecond(),
                    a.tokensPerCpuSecond() / b.tokensPerCpuSecond(), ReferenceComparison.of(a.rollouts(), b.rollouts())));
        }
        return out;
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

    private static void writeJson(Path file, String machine, boolean spins, ModelDirectory md, ModelDirectory ref,
            List<RolloutBench.Result> results, List<Comparison> comparisons) {
        if (Files.isDirectory(file)) {
            throw new BadInputException("--json " + file + " is a directory");
        }
        ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode root = mapper.createObjectNode();
        root.put("machine", machine);
        root.put("load_average", loadAverage());
        root.put("ort_threads_spin", spins);
        root.put("model", md.dir().toString());
        if (ref != null) {
            root.put("reference", ref.dir().toString());
        }
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
        if (!comparisons.isEmpty()) {
            ArrayNode cs = root.putArray("comparison");
            for (Comparison cmp : comparisons) {
                ReferenceComparison c = cmp.c();
                ObjectNode o = cs.addObject();
                o.put("batch", cmp.batch());
                o.put("speed_ratio", cmp.speed());
                o.put("speed_ratio_per_cpu_second", cmp.cpuSpeed());
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
