package rlif.trainer.init;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import rlif.models.tokenizer.ModelTokenizer;

class CharTokenizerTest {
    @TempDir
    Path dir;

    @Test
    void realHuggingFaceTokenizerSplitsIntoCharactersAndDecodesBack() throws Exception {
        Path file = dir.resolve("tokenizer.json");
        Files.writeString(file, CharTokenizer.json());
        String text = "compute 12 + (3 * 4)\n12 + 12 = 24\n#### 24";
        try (ModelTokenizer t = ModelTokenizer.open(file)) {
            int[] ids = t.encode(text, false);
            assertThat(ids).hasSize(text.length());
            assertThat(ids[0]).isEqualTo(3 + CharTokenizer.alphabet().indexOf('c'));
            assertThat(t.decode(ids, true)).isEqualTo(text);
            assertThat(t.tokenToId("</s>").getAsInt()).isEqualTo(CharTokenizer.EOS);
            assertThat(t.vocabSize()).isEqualTo(CharTokenizer.vocabSize());
        }
    }
}
