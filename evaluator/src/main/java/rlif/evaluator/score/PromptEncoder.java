package rlif.evaluator.score;

import java.util.OptionalInt;
import rlif.evaluator.data.Problem;
import rlif.evaluator.prompt.ChatTemplate;
import rlif.evaluator.prompt.PromptFormat;
import rlif.models.BadInputException;
import rlif.models.dir.ModelConfig;
import rlif.models.tokenizer.ModelTokenizer;

/**
 * Turns a problem into the token ids the model sees, checking them against the model before any session
 * runs: every id embeddable, and prompt plus completion within the context length.
 */
final class PromptEncoder {
    private final PromptFormat format;
    private final ModelTokenizer tokenizer;
    private final ChatTemplate chat;
    private final ModelConfig config;
    private final int maxNewTokens;
    /** Tokens of the longest prompt encoded so far. */
    private int longest;

    /** {@code tokenizer} may be null (a model without tokenizer.json) when every row gives prompt_ids. */
    PromptEncoder(PromptFormat format, ModelTokenizer tokenizer, ChatTemplate chat, ModelConfig config, int maxNewTokens) {
        this.format = format;
        this.tokenizer = tokenizer;
        this.chat = chat;
        this.config = config;
        this.maxNewTokens = maxNewTokens;
    }

    int[] encode(Problem p) {
        int[] ids;
        String what;
        if (p.hasText()) {
            if (tokenizer == null) {
                throw new BadInputException("--data " + p.where() + " has a text prompt, but the model directory has"
                        + " no tokenizer.json to encode it (give prompt_ids instead)");
            }
            if (format == PromptFormat.CHAT) {
                // The template writes the special tokens (bos) itself, as apply_chat_template does.
                ids = tokenizer.encode(chat.render(p.promptText()), false);
            } else {
                ids = tokenizer.encode(p.promptText(), true);
            }
            what = "the prompt text as " + tokenizer.file().getFileName() + " encodes it";
        } else {
            if (format == PromptFormat.CHAT) {
                throw new BadInputException("--data " + p.where() + " gives prompt_ids, which --prompt-format chat"
                        + " cannot template; use --prompt-format plain");
            }
            ids = p.promptIds();
            what = "field prompt_ids";
        }
        if (ids.length == 0) {
            throw new BadInputException("--data " + p.where() + ": the prompt encodes to no tokens");
        }
        ModelTokenizer.requireEmbeddable(ids, config.vocab(), "--data " + p.where() + " (" + what + ")");
        OptionalInt context = config.contextLength();
        if (context.isPresent() && ids.length > context.getAsInt()) {
            throw new BadInputException("--data " + p.where() + ": the prompt has " + ids.length + " tokens, more than"
                    + " the model's context length of " + context.getAsInt());
        }
        if (context.isPresent() && (long) ids.length + maxNewTokens - 1 > context.getAsInt()) {
            throw new BadInputException("--data " + p.where() + ": the prompt has " + ids.length + " tokens; with"
                    + " --max-new-tokens " + maxNewTokens + " it exceeds the model's context length of "
                    + context.getAsInt());
        }
        longest = Math.max(longest, ids.length);
        return ids;
    }

    /** Tokens of the longest prompt {@link #encode} has seen. */
    int longestPrompt() {
        return longest;
    }

    /**
     * The {@code --max-new-tokens} default: {@link ScoreSettings#DEFAULT_MAX_NEW_TOKENS}, or what fits the
     * model's context after the longest prompt, whichever is smaller (at least 1).
     */
    int fittingMaxNewTokens() {
        OptionalInt context = config.contextLength();
        int fit = context.isPresent() ? context.getAsInt() - longest + 1 : Integer.MAX_VALUE;
        return Math.max(1, Math.min(ScoreSettings.DEFAULT_MAX_NEW_TOKENS, fit));
    }

    OptionalInt contextLength() {
        return config.contextLength();
    }
}
