package rlif.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainTokenizerCommandTest {
    @TempDir
    Path tmp;

    /** The command of models/recipes/README.md, whose output the organism's models were trained with. */
    @Test
    void theRecipeReproducesTheCommittedOrganismTokenizerByteForByte() throws IOException {
        Path out = tmp.resolve("tok");
        CliRun run = CliRun.of("train-tokenizer", "--data", "word-problems:split=train,n=20000,seed=101", "--data",
                "word-problems:style=instruct,split=train,n=5000,seed=102", "--vocab-size", "1024", "--out", out.toString());
        assertThat(run.code()).as(run.err()).isZero();
        assertThat(run.out()).contains("learned 709 merges, 970 tokens");
        Path committed = Path.of("..", "models", "recipes", "word-tokenizer");
        for (String f : new String[] {"tokenizer.json", "tokenizer_config.json"}) {
            assertThat(Files.readString(out.resolve(f))).as(f).isEqualTo(Files.readString(committed.resolve(f)));
        }
    }

    @Test
    void aVocabularyTooSmallForTheBytesIsBadInput() {
        CliRun run = CliRun.of("train-tokenizer", "--data", "word-problems:n=5", "--vocab-size", "100", "--out",
                tmp.resolve("x").toString());
        assertThat(run.code()).isEqualTo(2);
        assertThat(run.errorLines()).containsExactly(
                "error: BPE vocabulary size must be 261..65536 (the special tokens plus 256 byte symbols at least), got 100");
        assertThat(tmp.resolve("x")).doesNotExist();
    }
}
