package rlif.evaluator.prompt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import rlif.models.BadInputException;

/**
 * The adversarial templates that crashed or hung the renderer now end in one {@code BadInputException} naming the
 * template: 50,000 nested {@code if}s (a StackOverflowError with 1,025 lines of trace before), 200,000 nested
 * parentheses and nested {@code range(100000)} loops (both hung), and output past the size cap. Real templates
 * (ChatML with a loop and conditions) still render.
 */
class TemplateBoundsTest {
    private static ChatTemplate template(String t, Duration budget) {
        return new ChatTemplate(t, "<s>", "</s>", "m/tokenizer_config.json", budget);
    }

    @Test
    void deeplyNestedBlocksAreRefusedBeforeParsing() {
        String huge = "{% if true %}".repeat(50_000) + "x" + "{% endif %}".repeat(50_000); // the adversarial run's case
        assertThatThrownBy(() -> template(huge, TemplateBounds.RENDER_TIME)).isInstanceOf(BadInputException.class)
                .hasMessageContaining("m/tokenizer_config.json");
        String t = "{% if true %}".repeat(1_000) + "x" + "{% endif %}".repeat(1_000); // short enough to pass the length cap
        assertThatThrownBy(() -> template(t, TemplateBounds.RENDER_TIME)).isInstanceOf(BadInputException.class)
                .hasMessageContaining("m/tokenizer_config.json").hasMessageContaining("nests blocks");
    }

    @Test
    void deeplyNestedBracketsAreRefusedBeforeParsing() {
        String t = "{{ " + "(".repeat(200_000) + "1" + ")".repeat(200_000) + " }}";
        assertThatThrownBy(() -> template(t, TemplateBounds.RENDER_TIME)).isInstanceOf(BadInputException.class)
                .hasMessageContaining("nests brackets");
    }

    @Test
    void aRenderingThatRunsPastItsTimeIsStopped() {
        String t = "{% for i in range(100000) %}{% for j in range(100000) %}{% if j < 0 %}x{% endif %}{% endfor %}{% endfor %}";
        ChatTemplate slow = template(t, Duration.ofMillis(200));
        assertThatThrownBy(() -> slow.render("hi")).isInstanceOf(BadInputException.class)
                .hasMessageContaining("took longer than 200 ms");
    }

    @Test
    void outputPastTheCapIsRefused() {
        String t = "{% for i in range(60000) %}{{ 'abcdefghijklmnopqrstuvwxyz' }}{% endfor %}";
        assertThatThrownBy(() -> template(t, TemplateBounds.RENDER_TIME).render("hi")).isInstanceOf(BadInputException.class);
    }

    @Test
    void anOversizedTemplateIsRefused() {
        assertThatThrownBy(() -> template("x".repeat(TemplateBounds.MAX_CHARS + 1), TemplateBounds.RENDER_TIME))
                .isInstanceOf(BadInputException.class).hasMessageContaining("characters");
    }

    @Test
    void ordinaryTemplatesStillRender() {
        String chatml = "{% for message in messages %}{% if loop.first and message['role'] != 'system' %}"
                + "{{ '<|im_start|>system\\nYou are helpful.<|im_end|>\\n' }}{% endif %}"
                + "{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}{% endfor %}"
                + "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";
        assertThat(template(chatml, TemplateBounds.RENDER_TIME).render("2+3?"))
                .isEqualTo("<|im_start|>system\nYou are helpful.<|im_end|>\n<|im_start|>user\n2+3?<|im_end|>\n<|im_start|>assistant\n");
    }
}
