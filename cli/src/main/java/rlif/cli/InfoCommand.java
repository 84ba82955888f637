package rlif.cli;

import ai.onnxruntime.OrtEnvironment;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import rlif.evaluator.rollout.Device;
import rlif.evaluator.rollout.EngineKind;
import rlif.evaluator.rollout.EngineOptions;
import rlif.evaluator.rollout.EqualLengthRolloutEngine;
import rlif.evaluator.rollout.GraphRolloutEngine;
import rlif.evaluator.rollout.RolloutEngine;
import rlif.evaluator.rollout.RolloutEngines;
import rlif.models.BadInputException;
import rlif.models.dir.CacheLayout;
import rlif.models.dir.DecoderIo;
import rlif.models.dir.ModelConfig;
import rlif.models.dir.ModelDirectory;
import rlif.models.dir.ModelFile;
import rlif.models.tensor.DType;
import rlif.models.tokenizer.ModelTokenizer;

/** {@code rlif info}: what rlif read from a model directory, human-readable on stdout. */
@Command(name = "info", mixinStandardHelpOptions = true,
        description = "Show a model directory's layout, shapes, types, special ids and file sizes; with --device, also"
                + " open the engine score would use on that device (a check that CUDA works).")
public final class InfoCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, paramLabel = "DIR", description = "model directory")
    Path model;

    @Option(names = "--device", paramLabel = "cpu|cuda",
            description = "also open the rollout engine score would use (--engine auto) on this device and say so")
    String device;

    @Override
    public Integer call() {
        ModelDirectory dir = ModelDirectory.open(model);
        print(dir, System.out);
        if (device != null) {
            printDevice(dir, Device.parse(device), System.out);
        }
        return 0;
    }

    /** Opens the engine {@code --engine auto} picks on {@code device}: the same sessions score would open. */
    private static void printDevice(ModelDirectory dir, Device device, PrintStream out) {
        row(out, "onnxruntime", OrtEnvironment.getEnvironment(ai.onnxruntime.OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR).getVersion()
                + ", providers "
                + OrtEnvironment.getAvailableProviders());
        EngineKind kind = EngineKind.AUTO.resolve(device);
        try (RolloutEngine engine = RolloutEngines.open(dir, kind, EngineOptions.defaults().withDevice(device), "auto")) {
            RolloutEngine opened = engine instanceof EqualLengthRolloutEngine e ? e.inner() : engine;
            String what = opened instanceof GraphRolloutEngine g
                    ? "generation graph (one ONNX Loop per batch" + (g.lastPositionOnly() ? ", head cut to the last position)" : ")")
                    : "step engine (one run per token)";
            row(out, "device", device.name().toLowerCase(Locale.ROOT) + ": " + what + " opened"
                    + (device == Device.CUDA ? " with the CUDA execution provider" : ""));
        }
    }

    static void print(ModelDirectory dir, PrintStream out) {
        ModelConfig c = dir.config();
        DecoderIo io = dir.io();
        row(out, "model", dir.dir().toString());
        row(out, "layout", c.layout().label());
        row(out, "architecture", c.architecture());
        row(out, "layers", Integer.toString(c.layers()));
        row(out, "heads", c.heads() + " (key/value heads " + c.kvHeads() + ", head size " + c.headSize() + ")");
        row(out, "hidden size", optional(c.hidden()));
        row(out, "vocab", Integer.toString(c.vocab()));
        row(out, "context length", optional(c.contextLength()));
        row(out, "input ids", type(c.inputIdType()) + " (" + io.inputIds() + ", " + io.attentionMask()
                + io.positionIds().map(p -> ", " + p).orElse(", no position ids") + ")");
        if (dir.onnx().rowsNeedEqualLengths()) {
            row(out, "batches", "prompts of one length each: its GroupQueryAttention has no attention_bias and would read"
                    + " left-padded rows wrongly (docs/rollout-engine.md)");
        }
        row(out, "kv cache", type(c.kvType()) + ", " + (io.cacheLayout() == CacheLayout.STACKED
                ? "stacked [2, batch, kv_heads, seq, head_size] per layer (" + io.pastInputs().get(0) + " ...)"
                : "key and value [batch, kv_heads, seq, head_size] per layer (" + io.pastInputs().get(0) + ", "
                        + io.pastInputs().get(1) + " ...)"));
        row(out, "logits", type(c.logitsType()) + " (" + io.logits() + ")");
        row(out, "bos id", optional(c.bosId()));
        row(out, "eos ids", c.eosIds().isEmpty() ? "none (only --max-new-tokens stops)"
                : c.eosIds().stream().sorted().map(String::valueOf).reduce((a, b) -> a + ", " + b).orElseThrow());
        row(out, "pad id", optional(c.padId()));
        boolean first = true;
        for (ModelFile f : c.files()) {
            row(out, first ? "decoder" : "external data", dir.dir().relativize(f.path()) + " (" + size(f.bytes()) + ")");
            first = false;
        }
        if (dir.tokenizerFile().isPresent()) {
            try (ModelTokenizer tok = dir.openTokenizer()) {
                String note = tok.vocabSize() > c.vocab()
                        ? "; more ids than the model's " + c.vocab() + " logits: text prompts may produce ids it cannot embed"
                        : "";
                row(out, "tokenizer", "tokenizer.json, " + tok.vocabSize() + " ids" + note);
                tokenizerEos(dir).ifPresent(eos -> {
                    OptionalInt id = tok.tokenToId(eos);
                    String says = "'" + eos + "' = " + (id.isPresent() ? "id " + id.getAsInt() : "not in its vocabulary");
                    if (id.isPresent() && !c.eosIds().contains(id.getAsInt())) {
                        says += " (not an eos id of the model: generation stops only at the ids above)";
                    }
                    row(out, "tokenizer eos", says);
                });
            }
        } else {
            row(out, "tokenizer", "none (prompts must be given as prompt_ids)");
        }
    }

    /** The eos token {@code tokenizer_config.json} names, if it names one. */
    private static Optional<String> tokenizerEos(ModelDirectory dir) {
        Path file = dir.dir().resolve("tokenizer_config.json");
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try {
            JsonNode eos = new ObjectMapper()
                    .readTree(file.toFile()).path("eos_token");
            String text = eos.isTextual() ? eos.asText() : eos.path("content").asText(null);
            return Optional.ofNullable(text);
        } catch (IOException e) {
            throw new BadInputException("cannot parse " + file + ": "
                    + e.getMessage().lines().findFirst().orElse(""), e);
        }
    }

    private static void row(PrintStream out, String key, String value) {
        out.printf(Locale.ROOT, "%-15s %s%n", key, value);
    }

    private static String optional(OptionalInt v) {
        return v.isPresent() ? Integer.toString(v.getAsInt()) : "unknown";
    }

    private static String type(DType t) {
        return switch (t) {
            case F32 -> "float32";
            case F16 -> "float16";
            case BF16 -> "bfloat16";
            case F64 -> "float64";
            case I32 -> "int32";
            case I64 -> "int64";
            default -> t.name().toLowerCase(Locale.ROOT);
        };
    }

    private static String size(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = bytes;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s, %d bytes", v, units[u], bytes);
    }
}
