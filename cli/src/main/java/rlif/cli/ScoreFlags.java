package rlif.cli;

import java.util.Locale;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import rlif.evaluator.prompt.PromptFormat;
import rlif.evaluator.score.ScoreSettings;
import rlif.models.BadInputException;

/** The flags of what to generate and how, shared by {@code rlif score} and {@code rlif spark-score}. */
public final class ScoreFlags {
    @Option(names = "--data", required = true, paramLabel = "SRC",
            description = "a JSONL file, or arith[:level=N,split=train|test,n=N,seed=S,...]")
    String data;

    @Option(names = "--limit", paramLabel = "N", description = "use the first N problems (default: all)")
    Integer limit;

    @Option(names = "--samples", paramLabel = "K", defaultValue = "1", description = "rollouts per problem (default: ${DEFAULT-VALUE})")
    int samples;

    @Option(names = "--max-new-tokens", paramLabel = "N",
            description = "longest completion (default: 256, or less where the model's context is shorter)")
    Integer maxNewTokens;

    @Option(names = "--temperature", paramLabel = "T", defaultValue = "1.0", description = "sampling temperature, 0 = greedy (default: ${DEFAULT-VALUE})")
    double temperature;

    @Option(names = "--top-k", paramLabel = "K", defaultValue = "0", description = "keep the K most likely tokens, 0 = off (default: ${DEFAULT-VALUE})")
    int topK;

    @Option(names = "--top-p", paramLabel = "P", defaultValue = "1.0", description = "nucleus sampling mass, 1 = off (default: ${DEFAULT-VALUE})")
    double topP;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "0", description = "sampling seed (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--batch-size", paramLabel = "B", defaultValue = "8", description = "rollouts per engine batch (default: ${DEFAULT-VALUE})")
    int batchSize;

    @Mixin
    DeviceOption device;

    @Option(names = "--threads", paramLabel = "N", defaultValue = "0",
            description = "ONNX Runtime intra-op threads of the decoder, 0 = one for a decoder under 1 MiB of weights, else"
                    + " ONNX Runtime's default (default: ${DEFAULT-VALUE})")
    int threads;

    @Option(names = "--kernels", paramLabel = "auto|scalar|vector|tornado", defaultValue = "auto",
            description = "signal kernel backend (default: ${DEFAULT-VALUE})")
    String kernels;

    @Option(names = "--engine", paramLabel = "auto|step|graph", defaultValue = "auto",
            description = "rollout engine: one ONNX Runtime run per token (step) or per batch (graph, the whole"
                    + " generation as one ONNX Loop); auto = graph on cuda, the faster on cpu (default: ${DEFAULT-VALUE})")
    String engine;

    @Option(names = "--prompt-format", paramLabel = "plain|chat", defaultValue = "plain",
            description = "plain text, or the model's chat template (default: ${DEFAULT-VALUE})")
    String promptFormat;

    @Option(names = "--token-signals", description = "also write per-token log-probs, entropies and self-certainties")
    boolean tokenSignals;

    /** ONNX Runtime intra-op threads ({@code --threads}), 0 for its default. */
    public int threads() {
        return threads;
    }

    /** The {@code --data} argument as given. */
    public String data() {
        return data;
    }

    /**
     * The settings for {@code model}, with {@code dataDescription} recorded as the data source; {@code teacherForced}
     * scores the completions the data gives instead of generating.
     */
    public ScoreSettings settings(String model, String dataDescription, boolean teacherForced) {
        if (maxNewTokens != null && maxNewTokens < 1) {
            throw new BadInputException("--max-new-tokens must be >= 1, got " + maxNewTokens);
        }
        if (limit != null && limit < 1) {
            throw new BadInputException("--limit must be >= 1, got " + limit);
        }
        return new ScoreSettings(model, dataDescription, limit == null ? 0 : limit, samples,
                maxNewTokens == null ? ScoreSettings.FIT_MAX_NEW_TOKENS : maxNewTokens, temperature, topK, topP, seed,
                batchSize, device.name().toLowerCase(Locale.ROOT), kernels.toLowerCase(Locale.ROOT),
                promptFormat(promptFormat), tokenSignals, teacherForced, engine.toLowerCase(Locale.ROOT));
    }

    private static PromptFormat promptFormat(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "plain" -> PromptFormat.PLAIN;
            case "chat" -> PromptFormat.CHAT;
            default -> throw new BadInputException("--prompt-format must be plain or chat, got '" + name + "'");
        };
    }
}
