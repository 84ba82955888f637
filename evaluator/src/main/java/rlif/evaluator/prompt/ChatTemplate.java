package rlif.evaluator.prompt;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import rlif.models.BadInputException;

/**
 * A Hugging Face chat template ({@code tokenizer_config.json} {@code chat_template}) rendered with Jinjava,
 * the way {@code apply_chat_template(messages, add_generation_prompt=True)} does.
 */
public final class ChatTemplate {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Longest rendered prompt or string a template may build (characters). */
    static final long MAX_CHARS = 1 << 20;
    /** Largest list, map or range a template may build. */
    static final int MAX_ITEMS = 1 << 16;

    private final String template;
    private final String bosToken;
    private final String eosToken;
    private final String where;
    private final Jinjava jinjava;
    private final java.time.Duration renderTime;
    /** The rendering under way on this thread, checked before each node (Jinjava calls the pre-processor per node). */
    private final ThreadLocal<TemplateBounds.Deadline> deadline = new ThreadLocal<>();

    public ChatTemplate(String template, String bosToken, String eosToken, String where) {
        this(template, bosToken, eosToken, where, TemplateBounds.RENDER_TIME);
    }

    /** As above with another render-time budget (tests use a short one). */
    ChatTemplate(String template, String bosToken, String eosToken, String where, java.time.Duration renderTime) {
        TemplateBounds.check(template, where);
        this.renderTime = renderTime;
        this.template = template;
        this.bosToken = bosToken == null ? "" : bosToken;
        this.eosToken = eosToken == null ? "" : eosToken;
        this.where = where;
        // A template comes with a stranger's model: cap what it can make us build (a loop or a string repeated a
        // billion times was an OutOfMemoryError that killed the JVM), far above any real prompt.
        this.jinjava = new Jinjava(JinjavaConfig.newBuilder().withFailOnUnknownTokens(false)
                .withMaxOutputSize(MAX_CHARS).withMaxStringLength(MAX_CHARS).withMaxListSize(MAX_ITEMS)
                .withMaxMapSize(MAX_ITEMS).withRangeLimit(MAX_ITEMS).withMaxRenderDepth(TemplateBounds.MAX_DEPTH)
                .withNodePreProcessor((node, interpreter) -> {
                    TemplateBounds.Deadline d = deadline.get();
                    if (d != null) {
                        d.check(this.where);
                    }
                }).build());
        jinjava.getGlobalContext()
                .registerFunction(new ELFunctionDefinition(
                        "", "raise_exception", ChatTemplate.class, "raiseException", String.class));
    }

    /** Reads the chat template and special tokens from {@code tokenizer_config.json} in a model directory. */
    public static ChatTemplate load(Path modelDir) {
        return load(modelDir, "--prompt-format");
    }

    /** The same, with errors naming the setting that asked for the chat format ({@code formatKey}). */
    public static ChatTemplate load(Path modelDir, String formatKey) {
        Path config = modelDir.resolve("tokenizer_config.json");
        if (!Files.isRegularFile(config)) {
            throw new BadInputException(formatKey + " chat needs " + config + ", which does not exist");
        }
        JsonNode root;
        try {
            root = JSON.readTree(config.toFile());
        } catch (IOException e) {
            throw new BadInputException(config + " is not valid JSON: " + e.getMessage(), e);
        }
        JsonNode t = root.get("chat_template");
        String template;
        if (t == null || t.isNull()) {
            throw new BadInputException(formatKey + " chat: " + config + " has no chat_template; use plain");
        } else if (t.isTextual()) {
            template = t.asText();
        } else if (t.isArray()) {
            template = pickNamed(t, config);
        } else {
            throw new BadInputException(config + ", field chat_template: expected a string or a list of {name, template}");
        }
        return new ChatTemplate(template, tokenText(root, "bos_token"), tokenText(root, "eos_token"), config.toString());
    }

    /** From a list of named templates, the one called {@code default}, else the first. */
    private static String pickNamed(JsonNode list, Path config) {
        JsonNode chosen = null;
        for (JsonNode entry : list) {
            if (!entry.isObject() || !entry.path("template").isTextual()) {
                throw new BadInputException(config + ", field chat_template: every entry needs a string 'template'");
            }
            if (chosen == null || "default".equals(entry.path("name").asText())) {
                chosen = entry;
            }
        }
        if (chosen == null) {
            throw new BadInputException(config + ", field chat_template: the list is empty");
        }
        return chosen.get("template").asText();
    }

    /** A special token written as a string or as an AddedToken object {@code {"content": ...}}. */
    private static String tokenText(JsonNode root, String field) {
        JsonNode v = root.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (v.isTextual()) {
            return v.asText();
        }
        return v.path("content").isTextual() ? v.get("content").asText() : null;
    }

    /** Renders one user message with the generation prompt appended. */
    public String render(String userContent) {
        Map<String, Object> bindings = new HashMap<>();
        bindings.put("messages", List.of(Map.of("role", "user", "content", userContent)));
        bindings.put("add_generation_prompt", true);
        bindings.put("bos_token", bosToken);
        bindings.put("eos_token", eosToken);
        RenderResult result;
        deadline.set(new TemplateBounds.Deadline(renderTime));
        try {
            result = jinjava.renderForResult(template, bindings);
        } catch (TemplateBounds.RenderTimeExceeded e) {
            throw new BadInputException(e.getMessage(), e);
        } catch (RuntimeException e) {
            // Jinjava throws some limit and syntax faults instead of reporting them as errors
            throw new BadInputException("chat template of " + where + " failed: " + e.getMessage(), e);
        } catch (StackOverflowError e) {
            // the nesting bounds should make this unreachable; if a template still finds a way, it is its fault
            throw new BadInputException("chat template of " + where + " nests too deeply to render", e);
        } finally {
            deadline.remove();
        }
        for (TemplateError e : result.getErrors()) {
            for (Throwable t = e.getException(); t != null; t = t.getCause()) {
                if (t instanceof TemplateBounds.RenderTimeExceeded r) {
                    throw new BadInputException(r.getMessage(), r);
                }
            }
            if (e.getSeverity() == TemplateError.ErrorType.FATAL) {
                throw new BadInputException("chat template of " + where + " failed: " + reason(e));
            }
        }
        return result.getOutput();
    }

    /** The template's own {@code raise_exception} message when that is what failed, else Jinjava's. */
    private static String reason(TemplateError e) {
        for (Throwable t = e.getException(); t != null; t = t.getCause()) {
            if (t instanceof TemplateRaisedException) {
                return "raise_exception: " + t.getMessage();
            }
        }
        return e.getMessage();
    }

    /** The {@code raise_exception(message)} function chat templates call to reject a conversation. */
    public static String raiseException(String message) {
        throw new TemplateRaisedException(message);
    }

    /** What {@code raise_exception} throws inside the template engine. */
    static final class TemplateRaisedException extends RuntimeException {
        TemplateRaisedException(String message) {
            super(message);
        }
    }
}
