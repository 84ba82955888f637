package rlif.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import rlif.evaluator.data.Problem;
import rlif.evaluator.data.ProblemSource;
import rlif.evaluator.data.ProblemSources;
import rlif.models.io.OutLock;
import rlif.models.tokenizer.BpeTokenizerFiles;
import rlif.models.tokenizer.BpeTrainer;

/** {@code rlif train-tokenizer}: learn a byte-level BPE tokenizer from the prompts and solutions of data sources. */
@Command(name = "train-tokenizer", mixinStandardHelpOptions = true, sortOptions = false,
        header = "Learn a byte-level BPE tokenizer from data sources (tokenizer.json, tokenizer_config.json).",
        description = {"Learn a byte-level BPE vocabulary (GPT-2 pre-tokenization, Hugging Face BpeTrainer rules) from",
            "the prompts and worked solutions of --data and write tokenizer.json and tokenizer_config.json",
            "(special tokens <pad> <s> </s> <|user|> <|assistant|>, a chat template) to --out."})
public final class TrainTokenizerCommand implements Callable<Integer> {
    @Option(names = "--data", required = true, paramLabel = "SRC",
            description = "a data source as score --data takes it (repeat for several); every prompt and solution is read")
    List<String> data;

    @Option(names = "--vocab-size", defaultValue = "1024", paramLabel = "N",
            description = "tokens in total, the 5 special tokens and 256 byte symbols included (default: ${DEFAULT-VALUE})")
    int vocabSize;

    @Option(names = "--min-frequency", defaultValue = "2", paramLabel = "N",
            description = "merge only pairs seen at least this often (default: ${DEFAULT-VALUE})")
    long minFrequency;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "directory to write the two files into")
    Path out;

    @Override
    public Integer call() {
        List<String> texts = new ArrayList<>();
        for (String d : data) {
            ProblemSource source = ProblemSources.of(d);
            try (ProblemSource.Problems problems = source.open()) {
                while (problems.hasNext()) {
                    Problem p = problems.next();
                    if (p.hasText()) {
                        texts.add(p.promptText());
                    }
                    if (p.solution() != null) {
                        texts.add(p.solution());
                    }
                }
            }
        }
        Map<String, Long> words = BpeTrainer.countWords(texts);
        BpeTrainer.Vocabulary vocab = new BpeTrainer(vocabSize, minFrequency, BpeTokenizerFiles.SPECIALS).train(words);
        try (OutLock lock = OutLock.acquire(out, "train-tokenizer")) {
            BpeTokenizerFiles.write(out, vocab);
        }
        System.out.printf(java.util.Locale.ROOT, "read %d texts (%d distinct words); learned %d merges, %d tokens;"
                + " wrote %s and %s%n", texts.size(), words.size(), vocab.merges().size(), vocab.tokens().size(),
                out.resolve("tokenizer.json"), out.resolve("tokenizer_config.json"));
        return 0;
    }
}
