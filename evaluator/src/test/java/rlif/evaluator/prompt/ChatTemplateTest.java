package rlif.evaluator.prompt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import rlif.evaluator.testing.Shared;
import rlif.models.BadInputException;

class ChatTemplateTest {
    /** The ChatML template as Qwen-style tokenizer_config.json files ship it. */
    private static final String CHATML = "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n'"
            + " + message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}"
            + "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

    @TempDir
    Path dir;

    @Test
    void rendersChatMlWithTheGenerationPrompt() {
        ChatTemplate t = new ChatTemplate(CHATML, null, "<|im_end|>", "test");
        assertThat(t.render("What is 2 + 3?"))
                .isEqualTo("<|im_start|>user\nWhat is 2 + 3?<|im_end|>\n<|im_start|>assistant\n");
    }

    @Test
    void rendersTheLlamaFixturesOwnTemplate() {
        ChatTemplate t = ChatTemplate.load(Shared.fixture("tiny-random-llama-fp16"));
        // The llama-2 template: bos, [INST], the stripped user text, [/INST]; no system message by default.
        assertThat(t.render("  How many eggs?  ")).isEqualTo("<s>[INST] How many eggs? [/INST]");
    }

    @Test
    void raiseExceptionInATemplateIsBadInput() {
        ChatTemplate t = new ChatTemplate(
                "{% if messages[0]['role'] == 'user' %}{{ raise_exception('no users here') }}{% endif %}", "", "", "cfg");
        assertThatThrownBy(() -> t.render("hi")).isInstanceOf(BadInputException.class).hasMessageContaining("no users here");
    }

    @Test
    void readsNamedTemplateListsAndAddedTokenObjects() throws IOException {
        Files.writeString(dir.resolve("tokenizer_config.json"), """
                {"bos_token": {"content": "<B>", "lstrip": false},
                 "eos_token": "<E>",
                 "chat_template": [{"name": "tool_use", "template": "tools"},
                                   {"name": "default", "template": "{{ bos_token }}{{ messages[0].content }}{{ eos_token }}"}]}
                """);
        assertThat(ChatTemplate.load(dir).render("x")).isEqualTo("<B>x<E>");
    }

    @Test
    void aModelWithoutChatTemplateIsBadInput() {
        assertThatThrownBy(() -> ChatTemplate.load(Shared.fixture("tiny-random-gpt2-fp32")))
                .isInstanceOf(BadInputException.class)
                .hasMessageContaining("no chat_template");
    }
}
