package rlif.evaluator.data;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import rlif.models.BadInputException;

/**
 * Any line of a JSONL data file either parses into a problem or is a {@link BadInputException} naming the
 * file and line, nothing else. Lines are built from the contract's field names with values of every JSON
 * type (so the fuzzer reaches the field checks), or are raw bytes.
 */
class JsonlFuzzTest {
    private static final JsonlSource SOURCE = new JsonlSource(Path.of("fuzz.jsonl"));
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String[] KEYS = {"prompt", "question", "problem", "prompt_ids", "answer", "reference", "id", "x"};

    @FuzzTest(maxDuration = "60s")
    void anyLineParsesOrIsBadInput(FuzzedDataProvider data) throws Exception {
        String line;
        if (data.consumeBoolean()) {
            line = data.consumeRemainingAsString();
        } else {
            StringBuilder b = new StringBuilder("{");
            int fields = data.consumeInt(0, 5);
            for (int i = 0; i < fields; i++) {
                b.append(i > 0 ? "," : "").append('"').append(data.pickValue(KEYS)).append("\":").append(value(data, 2));
            }
            line = b.append(data.consumeBoolean() ? "}" : "").toString();
        }
        try {
            Problem p = SOURCE.parse(line, 7, 3);
            assertThat(p.index()).isEqualTo(3);
            assertThat(p.hasText() ? p.promptText().isEmpty() : p.promptIds().length == 0).isFalse();
        } catch (BadInputException expected) {
            assertThat(expected.getMessage()).contains("fuzz.jsonl line 7");
        }
    }

    private static String value(FuzzedDataProvider data, int depth) throws Exception {
        return switch (data.consumeInt(0, depth > 0 ? 6 : 4)) {
            case 0 -> JSON.writeValueAsString(data.consumeString(40));
            case 1 -> String.valueOf(data.consumeInt());
            case 2 -> String.valueOf(data.consumeDouble());
            case 3 -> data.pickValue(new String[] {"null", "true", "false", "[]", "{}"});
            case 4 -> data.consumeString(8);
            default -> {
                StringBuilder b = new StringBuilder("[");
                int n = data.consumeInt(0, 6);
                for (int i = 0; i < n; i++) {
                    b.append(i > 0 ? "," : "").append(value(data, depth - 1));
                }
                yield b.append(']').toString();
            }
        };
    }
}
