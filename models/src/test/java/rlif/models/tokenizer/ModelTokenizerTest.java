package rlif.models.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import rlif.models.BadInputException;
import rlif.models.dir.ModelDirectory;
import rlif.models.dir.SharedFixtures;

/** The fixtures' real tokenizers through DJL, and the embeddability check that guards every session. */
class ModelTokenizerTest {

    @Test
    void llamaTokenizerRoundTripsTextAndKnowsItsSpecialTokens() {
        try (ModelTokenizer tok = ModelDirectory.open(SharedFixtures.llama()).openTokenizer()) {
            String text = "Natalia sold 48 clips in April.";
            int[] withSpecial = tok.encode(text, true);
            int[] plain = tok.encode(text, false);
            assertThat(withSpecial.length).isEqualTo(plain.length + 1);
            assertThat(withSpecial[0]).isEqualTo(tok.tokenToId("<s>").getAsInt());
            assertThat(tok.decode(withSpecial, true)).isEqualTo(text);
            assertThat(tok.tokenToId("</s>")).isEqualTo(OptionalInt.of(2));
            assertThat(tok.tokenToId("no-such-token-anywhere")).isEmpty();
            assertThat(tok.vocabSize()).isEqualTo(32000);
        }
    }

    @Test
    void gpt2FixtureTokenizerMakesIdsItsModelCannotEmbedAndTheCheckSaysSo() {
        ModelDirectory dir = ModelDirectory.open(SharedFixtures.gpt2());
        try (ModelTokenizer tok = dir.openTokenizer()) {
            int[] ids = tok.encode("Natalia sold clips to her friends", false);
            assertThat(java.util.Arrays.stream(ids).max().getAsInt()).isGreaterThanOrEqualTo(dir.config().vocab());
            assertThatThrownBy(() -> ModelTokenizer.requireEmbeddable(ids, dir.config().vocab(), "line 1 of data.jsonl"))
                    .isInstanceOf(BadInputException.class)
                    .hasMessageContaining("line 1 of data.jsonl")
                    .hasMessageMatching(".*token id \\d{4,} at position \\d+ is outside the model's vocabulary of 1000 ids.*");
        }
    }

    @Test
    void embeddableIdsPassAndNegativeIdsDoNot() {
        ModelTokenizer.requireEmbeddable(new int[] {0, 999}, 1000, "row");
        assertThatThrownBy(() -> ModelTokenizer.requireEmbeddable(new int[] {3, -1}, 1000, "row 2"))
                .isInstanceOf(BadInputException.class).hasMessageContaining("token id -1 at position 1");
    }

    @Test
    void aMissingTokenizerFileIsBadInput() {
        assertThatThrownBy(() -> ModelTokenizer.open(Path.of("/nonexistent/tokenizer.json")))
                .isInstanceOf(BadInputException.class).hasMessageContaining("does not exist");
    }
}
