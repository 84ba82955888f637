package rlif.models.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CharTokenizerFilesTest {
    @TempDir
    Path dir;

    @Test
    void huggingFaceTokenizersLoadItAndRoundTripEveryCharacter() throws Exception {
        CharTokenizerFiles.write(dir);
        String text = "12 + (3 * 4) = 24\n#### -7 Wait, let me check.";
        try (HuggingFaceTokenizer tok = HuggingFaceTokenizer.newInstance(dir.resolve("tokenizer.json"), Map.of())) {
            Encoding enc = tok.encode(text, true, false);
            long[] ids = enc.getIds();
            assertThat(ids).hasSize(text.length() + 1);
            assertThat(ids[0]).isEqualTo(CharTokenizerFiles.BOS_ID);
            for (int i = 0; i < text.length(); i++) {
                int expected = 4 + CharTokenizerFiles.alphabet().indexOf(String.valueOf(text.charAt(i)));
                assertThat(ids[i + 1]).as("id of %s", text.charAt(i)).isEqualTo(expected);
            }
            assertThat(tok.decode(ids, true)).isEqualTo(text);
            long[] withEos = java.util.Arrays.copyOf(ids, ids.length + 1);
            withEos[ids.length] = CharTokenizerFiles.EOS_ID;
            assertThat(tok.decode(withEos, false)).isEqualTo("<bos>" + text + "<eos>");
        }
    }

    @Test
    void charactersOutsideTheAlphabetBecomeUnknown() throws Exception {
        CharTokenizerFiles.write(dir);
        try (HuggingFaceTokenizer tok = HuggingFaceTokenizer.newInstance(dir.resolve("tokenizer.json"), Map.of())) {
            long[] ids = tok.encode("1é2", false, false).getIds();
            assertThat(ids).containsExactly(4 + CharTokenizerFiles.alphabet().indexOf("1"),
                    CharTokenizerFiles.UNK_ID, 4 + CharTokenizerFiles.alphabet().indexOf("2"));
            assertThat(CharTokenizerFiles.vocabSize()).isEqualTo(100);
        }
    }
}
