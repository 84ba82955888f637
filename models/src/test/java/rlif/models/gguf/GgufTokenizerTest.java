package rlif.models.gguf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import rlif.models.BadInputException;

/**
 * Round trips of real tokenizers through GGUF metadata: a fixture's {@code tokenizer.json} is stored the way
 * llama.cpp's converter stores it (tokens by id, merges or scores, token types), converted back, and both
 * tokenizers must encode the same texts to the same ids.
 */
class GgufTokenizerTest {
    @TempDir
    Path dir;

    static final List<String> TEXTS = List.of(
            "Hello world! How are you doing today?",
            "Natalia sold clips to 48 of her friends in April, and then she sold half as many clips in May.",
            "  leading spaces,\ttabs\nand newlines\n\n",
            "unicode: café, naïve, Zürich, 東京, emoji 🙂, math ∑x²",
            "code: for (int i = 0; i < n; i++) { sum += a[i]; } // 12345",
            "The answer is \\boxed{42}. #### 72");

    static Path fixture(String name) {
        String shared = System.getProperty("rlif.shared.dir");
        Path dir = shared == null ? null : Path.of(shared, "fixtures", "ort-genai", name);
        if (dir == null || !Files.isDirectory(dir)) {
            throw new AssertionError("../shared is missing: fixture " + name + " not found under rlif.shared.dir="
                    + shared);
        }
        return dir;
    }

    /** Tokens by id (vocab plus added tokens) of a tokenizer.json. */
    private static List<String> tokensById(JsonNode tok) {
        List<String> byId = new ArrayList<>();
        for (Map.Entry<String, JsonNode> e : tok.path("model").path("vocab").properties()) {
            set(byId, e.getValue().asInt(), e.getKey());
        }
        for (JsonNode a : tok.path("added_tokens")) {
            set(byId, a.path("id").asInt(), a.path("content").asText());
        }
        return byId;
    }

    private static void set(List<String> list, int i, String v) {
        while (list.size() <= i) {
            list.add(null);
        }
        list.set(i, v);
    }

    private static void assertSameEncodings(Path original, Path converted) throws IOException {
        try (HuggingFaceTokenizer a = HuggingFaceTokenizer.newInstance(original, Map.of());
                HuggingFaceTokenizer b = HuggingFaceTokenizer.newInstance(converted, Map.of())) {
            for (String text : TEXTS) {
                long[] ids = a.encode(text).getIds();
                assertThat(b.encode(text).getIds()).as("ids of %s", text).containsExactly(ids);
                assertThat(b.decode(ids)).isEqualTo(a.decode(ids));
            }
        }
    }

    @Test
    void gpt2ByteLevelBpeRoundTripsThroughGguf() throws IOException {
        Path original = fixture("tiny-random-gpt2-fp32").resolve("tokenizer.json");
        JsonNode tok = new ObjectMapper().readTree(original.toFile());
        List<String> tokens = tokensById(tok);
        int[] types = new int[tokens.size()];
        Arrays.fill(types, GgufTokenizer.NORMAL);
        for (JsonNode a : tok.path("added_tokens")) {
            types[a.path("id").asInt()] = a.path("special").asBoolean() ? GgufTokenizer.CONTROL : GgufTokenizer.USER_DEFINED;
        }
        List<String> merges = new ArrayList<>();
        tok.path("model").path("merges").forEach(m -> merges.add(m.isArray() ? m.get(0).asText() + " " + m.get(1).asText() : m.asText()));
        Path gguf = new GgufTestWriter()
                .string("tokenizer.ggml.model", "gpt2")
                .string("tokenizer.ggml.pre", "gpt2")
                .stringArray("tokenizer.ggml.tokens", tokens)
                .i32Array("tokenizer.ggml.token_type", types)
                .stringArray("tokenizer.ggml.merges", merges)
                .u32("tokenizer.ggml.bos_token_id", 50256)
                .u32("tokenizer.ggml.eos_token_id", 50256)
                .bool("tokenizer.ggml.add_bos_token", false)
                .string("tokenizer.chat_template", "{{ messages[0]['content'] }}")
                .write(dir.resolve("gpt2.gguf"));
        Path converted = dir.resolve("tokenizer.json");
        try (GgufFile g = GgufFile.open(gguf)) {
            GgufTokenizer t = GgufTokenizer.of(g);
            new ObjectMapper().writeValue(converted.toFile(), t.tokenizerJson());
            JsonNode config = t.tokenizerConfig(1024);
            assertThat(config.path("eos_token").asText()).isEqualTo("<|endoftext|>");
            assertThat(config.path("chat_template").asText()).isEqualTo("{{ messages[0]['content'] }}");
        }
        assertSameEncodings(original, converted);
    }

    @Test
    void sentencePieceLlamaVocabularyRoundTripsThroughGguf() throws IOException {
        Path original = fixture("tiny-random-llama-fp16").resolve("tokenizer.json");
        Path gguf = new GgufTestWriter().sentencePieceTokenizerOf(original).write(dir.resolve("llama.gguf"));
        Path converted = dir.resolve("tokenizer.json");
        try (GgufFile g = GgufFile.open(gguf)) {
            new ObjectMapper().writeValue(converted.toFile(), GgufTokenizer.of(g).tokenizerJson());
        }
        assertSameEncodings(original, converted);
    }

    @Test
    void inconsistentTokenizerMetadataIsRejected() {
        Path gguf = new GgufTestWriter()
                .string("tokenizer.ggml.model", "gpt2")
                .stringArray("tokenizer.ggml.tokens", List.of("a", "b"))
                .i32Array("tokenizer.ggml.token_type", new int[] {1})
                .write(dir.resolve("bad.gguf"));
        try (GgufFile g = GgufFile.open(gguf)) {
            assertThatThrownBy(() -> GgufTokenizer.of(g)).isInstanceOf(BadInputException.class)
                    .hasMessageContaining("token_type");
        }
        Path badMerge = new GgufTestWriter()
                .string("tokenizer.ggml.model", "gpt2")
                .stringArray("tokenizer.ggml.tokens", List.of("a", "b", "ab"))
                .stringArray("tokenizer.ggml.merges", List.of("a b", "b a"))
                .write(dir.resolve("badmerge.gguf"));
        try (GgufFile g = GgufFile.open(badMerge)) {
            assertThatThrownBy(() -> GgufTokenizer.of(g).tokenizerJson()).isInstanceOf(BadInputException.class)
                    .hasMessageContaining("merges[1] 'b a'");
        }
        Path unknownPre = new GgufTestWriter()
                .string("tokenizer.ggml.model", "gpt2")
                .string("tokenizer.ggml.pre", "deepseek-coder")
                .stringArray("tokenizer.ggml.tokens", List.of("a", "b", "ab"))
                .stringArray("tokenizer.ggml.merges", List.of("a b"))
                .write(dir.resolve("pre.gguf"));
        try (GgufFile g = GgufFile.open(unknownPre)) {
            assertThatThrownBy(() -> GgufTokenizer.of(g).tokenizerJson()).isInstanceOf(BadInputException.class)
                    .hasMessageContaining("'deepseek-coder'");
        }
        Path noMerges = new GgufTestWriter()
                .string("tokenizer.ggml.model", "gpt2")
                .stringArray("tokenizer.ggml.tokens", List.of("a", "b"))
                .u32("tokenizer.ggml.eos_token_id", 9)
                .write(dir.resolve("nomerges.gguf"));
        try (GgufFile g = GgufFile.open(noMerges)) {
            GgufTokenizer t = GgufTokenizer.of(g);
            assertThatThrownBy(t::tokenizerJson).isInstanceOf(BadInputException.class).hasMessageContaining("merges");
            assertThatThrownBy(() -> t.tokenizerConfig(0)).isInstanceOf(BadInputException.class)
                    .hasMessageContaining("eos_token_id = 9");
        }
    }
}
