package rlif.evaluator.prompt;

import java.util.OptionalInt;
import rlif.evaluator.data.Problem;
import rlif.models.BadInputException;
import rlif.models.dir.ModelConfig;
import rlif.models.dir.ModelDirectory;
import rlif.models.tokenizer.ModelTokenizer;

/**
 * The one place a problem becomes the token ids a model sees, for {@code rlif score} and {@code rlif train}
 * alike, checked against the model before any session runs: every id embeddable, and prompt plus completion
 * within the context length.
 *
 * <p>A plain prompt is encoded with the tokenizer's special tokens, as Hugging Face's {@code tokenizer(text)}
 * (and so lm-evaluation-harness and TRL) does: a tokenizer whose post-processor prepends a bos gets one, one
 * without (SmolLM2) does not. A chat prompt is the template's rendering encoded without special tokens, since
 * the template writes them itself, as {@code apply_chat_template(..., tokenize=True)} does. Rows that give
 * {@code prompt_ids} are used as they are.
 */
public final class PromptEncoder {
    /**
     * How errors name the setting that holds the data and the completion budget: {@link #SCORE} for the
     * command line of {@code rlif score}, config keys for a training run.
     */
    public record Labels(String data, String maxNewTokens, String promptFormat) {
        public static final Labels SCORE = new Labels("--data", "--max-new-tokens", "--prompt-format");
    }

    private final PromptFormat format;
    private final ModelTokenizer tokenizer;
    private final ChatTemplate chat;
    private final ModelConfig config;
    private final int maxNewTokens;
    private final Labels labels;
    /** Tokens of the longest prompt encoded so far. */
    private int longest;

    /**
     * {@code tokenizer} may be null (a model without tokenizer.json) when every row gives prompt_ids; {@code chat}
     * is needed only for {@link PromptFormat#CHAT}.
     */
    public PromptEncoder(PromptFormat format, ModelTokenizer tokenizer, ChatTemplate chat, ModelConfig config,
            int maxNewTokens, Labels labels) {
        if (format == PromptFormat.CHAT && chat == null) {
            throw new IllegalArgumentException("a chat prompt format needs the model's chat template");
        }
        this.format = format;
        this.tokenizer = tokenizer;
        this.chat = chat;
        this.config = config;
        this.maxNewTokens = maxNewTokens;
        this.labels = labels;
    }

    /** An encoder for {@code model}, reading its chat template when {@code format} is chat. */
    public static PromptEncoder of(ModelDirectory model, PromptFormat format, ModelTokenizer tokenizer, int maxNewTokens,
            Labels labels) {
        ChatTemplate chat = format == PromptFormat.CHAT ? ChatTemplate.load(model.dir(), labels.promptFormat()) : null;
        return new PromptEncoder(format, tokenizer, chat, model.config(), maxNewTokens, labels);
    }

    public int[] encode(Problem p) {
        return encoded(p).ids();
    }

    /**
     * A prompt as the model sees it: the text the tokenizer encoded ({@code rendered}: by the chat template;
     * decoded with its special tokens when the row gave ids; null without a tokenizer) and its ids.
     */
    public record Encoded(String text, boolean rendered, int[] ids) {}

    /** {@link #encode}, with the text the ids came from (what {@code rollouts.jsonl} rows record as their prompt). */
    public Encoded encoded(Problem p) {
        int[] ids;
        String what;
        String text;
        if (p.hasText()) {
            if (tokenizer == null) {
                throw new BadInputException(labels.data() + " " + p.where() + " has a text prompt, but the model"
                        + " directory has no tokenizer.json to encode it (give prompt_ids instead)");
            }
            if (format == PromptFormat.CHAT) {
                // The template writes the special tokens (bos) itself, as apply_chat_template does.
                text = chat.render(p.promptText());
                ids = tokenizer.encode(text, false);
            } else {
                text = p.promptText();
                ids = tokenizer.encode(text, true);
            }
            what = "the prompt text as " + tokenizer.file().getFileName() + " encodes it";
        } else {
            if (format == PromptFormat.CHAT) {
                throw new BadInputException(labels.data() + " " + p.where() + " gives prompt_ids, which "
                        + labels.promptFormat() + " chat cannot template; use " + labels.promptFormat() + " plain");
            }
            ids = p.promptIds();
            text = null; // decoded below, once the ids are known to be the model's
            what = "field prompt_ids";
        }
        if (ids.length == 0) {
            throw new BadInputException(labels.data() + " " + p.where() + ": the prompt encodes to no tokens");
        }
        ModelTokenizer.requireEmbeddable(ids, config.vocab(), labels.data() + " " + p.where() + " (" + what + ")");
        OptionalInt context = config.contextLength();
        if (context.isPresent() && ids.length > context.getAsInt()) {
            throw new BadInputException(labels.data() + " " + p.where() + ": the prompt has " + ids.length
                    + " tokens, more than the model's context length of " + context.getAsInt());
        }
        if (context.isPresent() && (long) ids.length + maxNewTokens - 1 > context.getAsInt()) {
            throw new BadInputException(labels.data() + " " + p.where() + ": the prompt has " + ids.length
                    + " tokens; with " + labels.maxNewTokens() + " " + maxNewTokens
                    + " it exceeds the model's context length of " + context.getAsInt());
        }
        longest = Math.max(longest, ids.length);
        if (text == null && tokenizer != null) {
            text = tokenizer.decode(ids, false);
        }
        return new Encoded(text, p.hasText() && format == PromptFormat.CHAT, ids);
    }

    /** This encoder with another completion budget (the same format, tokenizer, template and model). */
    public PromptEncoder withMaxNewTokens(int newMaxNewTokens) {
        return new PromptEncoder(format, tokenizer, chat, config, newMaxNewTokens, labels);
    }

    /** Tokens of the longest prompt {@link #encode} has seen. */
    public int longestPrompt() {
        return longest;
    }

    /**
     * A completion budget: {@code preferred}, or what fits the model's context after the longest prompt seen so
     * far, whichever is smaller (at least 1).
     */
    public int fittingMaxNewTokens(int preferred) {
        OptionalInt context = config.contextLength();
        int fit = context.isPresent() ? context.getAsInt() - longest + 1 : Integer.MAX_VALUE;
        return Math.max(1, Math.min(preferred, fit));
    }

    public OptionalInt contextLength() {
        return config.contextLength();
    }
}
