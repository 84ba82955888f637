package rlif.models.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import rlif.models.BadInputException;

/**
 * The BPE trainer against Hugging Face tokenizers. {@code src/test/resources/bpe/}: {@code corpus.json} (word
 * problems plus texts that exercise GPT-2's pre-tokenizer: contractions, runs of spaces, non-ASCII), the
 * {@code tokenizer.json} this trainer wrote from it (vocabulary 600, minimum frequency 2), and {@code golden.json},
 * written by {@code tools/tokenizer-check/check_bpe.py} with Hugging Face's Python {@code tokenizers}: the merges
 * its own {@code BpeTrainer} learns from the corpus, and the ids its tokenizer gives every text with our file.
 * Everything is compared exactly: token ids and merges are integers and strings, there is no tolerance.
 */
class BpeTrainerTest {
    private static final Path RES = Path.of("src", "test", "resources", "bpe");
    private static final ObjectMapper JSON = new ObjectMapper();
    static List<String> corpus;
    static JsonNode golden;
    static BpeTrainer.Vocabulary vocab;

    @TempDir
    Path dir;

    @BeforeAll
    static void train() throws IOException {
        corpus = new ArrayList<>();
        JSON.readTree(RES.resolve("corpus.json").toFile()).forEach(t -> corpus.add(t.asText()));
        golden = JSON.readTree(RES.resolve("golden.json").toFile());
        vocab = new BpeTrainer(600, 2, BpeTokenizerFiles.SPECIALS).train(BpeTrainer.countWords(corpus));
    }

    @Test
    void learnsTheMergesOfHuggingFacesTrainerInTheSameOrder() {
        List<List<String>> theirs = new ArrayList<>();
        golden.at("/hf_trainer/merges").forEach(m -> theirs.add(List.of(m.get(0).asText(), m.get(1).asText())));
        List<List<String>> ours = vocab.merges().stream().map(m -> List.of(m.left(), m.right())).toList();
        assertThat(ours).hasSize(277).isEqualTo(theirs);
        assertThat(vocab.tokens()).hasSize(golden.at("/hf_trainer/vocab_size").asInt());
        assertThat(vocab.tokens().subList(0, 5)).isEqualTo(BpeTokenizerFiles.SPECIALS);
    }

    @Test
    void writesTheCommittedTokenizerFileByteForByte() throws IOException {
        BpeTokenizerFiles.write(dir, vocab);
        assertThat(Files.readString(dir.resolve("tokenizer.json"))).isEqualTo(Files.readString(RES.resolve("tokenizer.json")));
        assertThat(Files.readString(dir.resolve("tokenizer_config.json")))
                .isEqualTo(Files.readString(RES.resolve("tokenizer_config.json")));
    }

    @Test
    void djlEncodesAndDecodesEveryTextExactlyAsHuggingFacesPythonTokenizer() {
        try (ModelTokenizer tok = ModelTokenizer.open(RES.resolve("tokenizer.json"))) {
            int n = 0;
            for (JsonNode e : golden.get("encodings")) {
                String text = e.get("text").asText();
                assertThat(tok.encode(text, false)).as("ids of %s", text).isEqualTo(ints(e.get("ids")));
                int[] special = tok.encode(text, true);
                assertThat(special).as("ids with specials of %s", text).isEqualTo(ints(e.get("ids_with_specials")));
                assertThat(tok.decode(special, true)).isEqualTo(e.get("decoded").asText());
                n++;
            }
            assertThat(n).isEqualTo(corpus.size() + 6);
        }
    }

    @Test
    void djlEncodesWithTheOrganismsCommittedTokenizerExactlyAsHuggingFacesPythonTokenizer() throws IOException {
        JsonNode word = JSON.readTree(RES.resolve("golden-word-tokenizer.json").toFile());
        try (ModelTokenizer tok = ModelTokenizer.open(Path.of("recipes", "word-tokenizer", "tokenizer.json"))) {
            assertThat(tok.vocabSize()).isEqualTo(970);
            for (JsonNode e : word.get("encodings")) {
                String text = e.get("text").asText();
                assertThat(tok.encode(text, false)).as("ids of %s", text).isEqualTo(ints(e.get("ids")));
                assertThat(tok.encode(text, true)).isEqualTo(ints(e.get("ids_with_specials")));
            }
            assertThat(word.get("encodings").size()).isEqualTo(402);
        }
    }

    @Test
    void djlSegmentsEveryTrainingTextAsTrainingLeftIt() {
        Map<String, Integer> ids = new HashMap<>();
        for (int i = 0; i < vocab.tokens().size(); i++) {
            ids.put(vocab.tokens().get(i), i);
        }
        try (ModelTokenizer tok = ModelTokenizer.open(RES.resolve("tokenizer.json"))) {
            for (String text : corpus) {
                List<Integer> expected = new ArrayList<>();
                for (String piece : ByteLevel.pieces(text)) {
                    vocab.segmentation().get(piece).forEach(t -> expected.add(ids.get(t)));
                }
                assertThat(tok.encode(text, false)).as(text).containsExactly(expected.toArray(Integer[]::new));
                assertThat(tok.decode(tok.encode(text, false), false)).isEqualTo(text);
            }
        }
    }

    @Test
    void byteSymbolsAreGpt2s() {
        assertThat(ByteLevel.charOf(' ')).isEqualTo('Ġ');
        assertThat(ByteLevel.charOf('\n')).isEqualTo('Ċ');
        assertThat(ByteLevel.charOf('a')).isEqualTo('a');
        assertThat(ByteLevel.alphabet()).hasSize(256).doesNotHaveDuplicates();
        assertThat(ByteLevel.pieces("Don't  stop\n")).containsExactly("Don", "'t", "Ġ", "Ġstop", "Ċ");
    }

    @Test
    void mergesApplyLeftToRightWithoutOverlap() {
        assertThat(BpeTrainer.applyMerge(new int[] {7, 7, 7}, 7, 7, 9)).containsExactly(9, 7);
        assertThat(BpeTrainer.applyMerge(new int[] {7, 7, 7, 7}, 7, 7, 9)).containsExactly(9, 9);
        assertThat(BpeTrainer.applyMerge(new int[] {1, 2, 3}, 2, 3, 9)).containsExactly(1, 9);
        int[] untouched = {1, 2};
        assertThat(BpeTrainer.applyMerge(untouched, 2, 1, 9)).isSameAs(untouched);
    }

    @Test
    void aVocabularyTooSmallForTheBytesOrWithRepeatedSpecialsIsRefused() {
        assertThatThrownBy(() -> new BpeTrainer(260, 2, BpeTokenizerFiles.SPECIALS)).isInstanceOf(BadInputException.class)
                .hasMessageContaining("261");
        assertThatThrownBy(() -> new BpeTrainer(600, 2, List.of("<s>", "<s>"))).isInstanceOf(BadInputException.class);
        // the smallest vocabulary is the specials and bytes: no merges at all
        assertThat(new BpeTrainer(261, 2, BpeTokenizerFiles.SPECIALS).train(BpeTrainer.countWords(corpus)).merges()).isEmpty();
    }

    private static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asInt();
        }
        return out;
    }
}
