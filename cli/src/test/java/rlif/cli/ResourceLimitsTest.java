package rlif.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import rlif.models.tokenizer.CharTokenizerFiles;

/**
 * Inputs that ask for more than they have or than the machine has: declared sizes beyond the files, a
 * tokenizer whose ids the model cannot embed, a 1 GB data set (256 MB in the normal build) read in a 48 MB heap, and a batch too large for
 * memory. Each ends in one clear {@code error:} line (exit 2) or, for the data set, in flat memory.
 */
class ResourceLimitsTest {
    /**
     * Size of the generated data set: 256 MB keeps the normal build short; the 1 GB pass of the issue is
     * {@code -Drlif.bigdata.mb=1024} (docs/reliability.md records its result).
     */
    static final long DATA_MB = Long.getLong("rlif.bigdata.mb", 256);

    @TempDir
    Path tmp;

    static Path shared(String rel) {
        Path p = Path.of(System.getProperty("rlif.shared.dir", "../shared")).resolve(rel);
        assertThat(p).as("the shared fixtures (../shared) are missing").exists();
        return p;
    }

    static Path copyOf(Path fixture, Path to) throws IOException {
        Files.createDirectories(to);
        try (Stream<Path> files = Files.list(fixture)) {
            for (Path f : files.toList()) {
                Files.copy(f, to.resolve(f.getFileName()));
                to.resolve(f.getFileName()).toFile().setWritable(true);
            }
        }
        return to;
    }

    Path oneProblem() throws IOException {
        return Files.writeString(tmp.resolve("one.jsonl"), "{\"question\": \"What is 2 + 3?\", \"answer\": \"#### 5\"}\n");
    }

    @Test
    void externalDataShorterThanTheGraphDeclaresIsRefusedNamingTheFile() throws IOException {
        Path dir = copyOf(shared("fixtures/ort-genai/tiny-random-llama-fp16"), tmp.resolve("short"));
        try (FileChannel ch = FileChannel.open(dir.resolve("model.onnx.data"), StandardOpenOption.WRITE)) {
            ch.truncate(ch.size() / 2);
        }
        CliRun run = CliRun.of("score", "--model", dir.toString(), "--data",
                oneProblem().toString(), "--out", tmp.resolve("out-short").toString());
        assertThat(run.code()).isEqualTo(2);
        assertThat(run.errorLines()).singleElement().asString().contains("model.onnx.data").contains("exceeds the size");
    }

    @Test
    void aTokenizerWhoseIdsTheModelCannotEmbedIsRefusedBeforeAnySession() throws IOException {
        Path dir = NumericalFaultsTest.writePoisoned(tmp.resolve("small-vocab"), "~");
        Files.copy(shared("fixtures/ort-genai/tiny-random-gpt2-fp32/tokenizer.json"), dir.resolve("tokenizer.json"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        CliRun run = CliRun.of("score", "--model", dir.toString(), "--data",
                oneProblem().toString(), "--out", tmp.resolve("out-vocab").toString());
        assertThat(run.code()).isEqualTo(2);
        assertThat(run.errorLines()).singleElement().asString().contains("outside the model's vocabulary of " + CharTokenizerFiles.vocabSize() + " ids");
    }

    @Test
    void aLargeDataSetStreamsThroughA48MegabyteHeap() throws Exception {
        Path big = tmp.resolve("big.jsonl");
        byte[] block;
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 4096; i++) {
            sb.append("{\"question\": \"Natalia sold clips to ").append(i).append(" of her friends in April, and then she")
                    .append(" sold half as many clips in May. How many clips did she sell?\", \"answer\": \"#### 72\"}\n");
        }
        block = sb.toString().getBytes(StandardCharsets.UTF_8);
        long rowsPerBlock = 4096;
        long blocks = (DATA_MB << 20) / block.length + 1;
        try (OutputStream out = Files.newOutputStream(big)) {
            for (long b = 0; b < blocks; b++) {
                out.write(block);
            }
        }
        try {
            assertThat(Files.size(big)).isGreaterThanOrEqualTo(DATA_MB << 20);
            Path log = tmp.resolve("count.log");
            int code = ChildRlif.exitCode(ChildRlif.java(log, "-Xmx48m", JsonlRowCounter.class.getName(), big.toString()));
            String out = Files.readString(log);
            assertThat(code).as("reader in a 48 MB heap: %s", out).isZero();
            assertThat(out).contains("rows " + blocks * rowsPerBlock + " ");
            long peak = Long.parseLong(out.replaceAll("(?s).*peak_heap_bytes (\\d+).*", "$1"));
            System.out.printf("streamed %d MB, %d rows, peak heap %d MB%n", Files.size(big) >> 20, blocks * rowsPerBlock, peak >> 20);
            assertThat(peak).as("peak heap while reading %d MB", Files.size(big) >> 20).isLessThan(48L << 20);
        } finally {
            Files.deleteIfExists(big);
        }
    }

    @Test
    void aBatchTooLargeForMemoryIsRefusedNamingBatchSize() throws Exception {
        Path data = Files.writeString(tmp.resolve("many.jsonl"), String.join("\n", java.util.Collections.nCopies(64,
                "{\"question\": \"What is 2 + 3?\", \"answer\": \"#### 5\"}")) + "\n");
        Path log = tmp.resolve("batch.log");
        int code = ChildRlif.exitCode(ChildRlif.java(log, "-Xmx64m", Rlif.class.getName(), "score", "--model",
                shared("fixtures/ort-genai/tiny-random-llama-fp16").toString(), "--data", data.toString(), "--out",
                tmp.resolve("out-batch").toString(), "--samples", "64", "--batch-size", "4096"));
        List<String> errors = Files.readAllLines(log).stream().filter(l -> l.startsWith("error:")).toList();
        assertThat(code).as("log: %s", Files.readString(log)).isEqualTo(2);
        assertThat(errors).singleElement().asString().contains("--batch-size 4096").contains("lower --batch-size");
    }
}
