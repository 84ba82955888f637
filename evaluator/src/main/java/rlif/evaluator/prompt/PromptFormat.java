package rlif.evaluator.prompt;

import java.util.Locale;

/** How a text prompt becomes the model's input text ({@code --prompt-format}). */
public enum PromptFormat {
    /** The text as it is. */
    PLAIN,
    /** The model's chat template with the text as one user message and the assistant turn opened. */
    CHAT;

    public String json() {
        return name().toLowerCase(Locale.ROOT);
    }
}
