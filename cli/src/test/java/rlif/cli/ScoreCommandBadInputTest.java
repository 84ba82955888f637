package rlif.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Evidence (g): every bad input to {@code rlif score}, through the real CLI entry point, exits 2 with exactly
 * one {@code error:} line on stderr, no stack trace, and leaves an earlier run's files in {@code --out} as
 * they were.
 */
class ScoreCommandBadInputTest {
    @TempDir
    static Path tmp;

    static Path shared;
    static Path gpt2;
    static Path ids;
    /** An --out holding a finished earlier run, which no failing command may change. */
    static Path earlier;
    static Map<String, byte[]> earlierFiles;

    static Path shared() {
        Path dir = Path.of(System.getProperty("rlif.shared.dir", "../shared"));
        if (!Files.isDirectory(dir.resolve("fixtures/ort-genai"))) {
            throw new AssertionError("../shared is missing: expected fixtures at " + dir.toAbsolutePath()
                    + " (system property rlif.shared.dir)");
        }
        return dir;
    }

    @BeforeAll
    static void scoreOnce() throws IOException {
        shared = shared();
        gpt2 = shared.resolve("fixtures/ort-genai/tiny-random-gpt2-fp32");
        ids = tmp.resolve("ids.jsonl");
        Files.writeString(ids, """
                {"id": "a", "prompt_ids": [98, 5, 17, 42], "reference": "12"}
                {"id": "b", "prompt_ids": [700, 701]}
                """);
        earlier = tmp.resolve("earlier");
        CliRun ok = CliRun.of("score", "--model", gpt2.toString(), "--data", ids.toString(), "--temperature", "0",
                "--max-new-tokens", "4", "--out", earlier.toString());
        assertThat(ok.code()).as(ok.err()).isZero();
        assertThat(ok.out()).contains("2 problems, 2 rollouts");
        earlierFiles = snapshot(earlier);
        assertThat(earlierFiles).containsKeys("rollouts.jsonl", "summary.json", "report.html");
    }

    static Map<String, byte[]> snapshot(Path dir) throws IOException {
        Map<String, byte[]> files = new LinkedHashMap<>();
        try (var s = Files.list(dir)) {
            for (Path p : s.sorted().toList()) {
                files.put(p.getFileName().toString(), Files.readAllBytes(p));
            }
        }
        return files;
    }

    /** Runs {@code score} with {@code args} (plus --out earlier unless given) and checks the failure contract. */
    static CliRun assertBadInput(String expectedMessage, String... args) throws IOException {
        List<String> all = new ArrayList<>(List.of("score"));
        all.addAll(Arrays.asList(args));
        if (!all.contains("--out")) {
            all.add("--out");
            all.add(earlier.toString());
        }
        CliRun r = CliRun.of(all.toArray(String[]::new));
        assertThat(r.code()).as(r.err()).isEqualTo(2);
        assertThat(r.errorLines()).as(r.err()).hasSize(1);
        assertThat(r.errorLines().get(0)).contains(expectedMessage);
        assertThat(r.err()).doesNotContain("\tat ").doesNotContain("Exception");
        Map<String, byte[]> now = snapshot(earlier);
        assertThat(now.keySet()).isEqualTo(earlierFiles.keySet());
        for (var e : earlierFiles.entrySet()) {
            assertThat(Arrays.equals(now.get(e.getKey()), e.getValue())).as(e.getKey() + " unchanged").isTrue();
        }
        return r;
    }

    @Test
    void missingModelDirectory() throws IOException {
        assertBadInput("does not exist", "--model", tmp.resolve("no-such-model").toString(), "--data", ids.toString());
    }

    @Test
    void truncatedOnnxFile() throws IOException {
        Path model = Files.createDirectories(tmp.resolve("truncated-gpt2"));
        try (var s = Files.list(gpt2)) {
            for (Path p : s.toList()) {
                Files.copy(p, model.resolve(p.getFileName()));
            }
        }
        byte[] onnx = Files.readAllBytes(gpt2.resolve("past.onnx"));
        Files.write(model.resolve("past.onnx"), Arrays.copyOf(onnx, onnx.length / 2));
        assertBadInput("past.onnx", "--model", model.toString(), "--data", ids.toString());
    }

    @Test
    void textPromptsTheGpt2FixtureCannotEmbed() throws IOException {
        // The fixture's tokenizer is GPT-2's (50k ids) but its decoder embeds only 1000.
        CliRun r = assertBadInput("outside the model's vocabulary of 1000", "--model", gpt2.toString(), "--data",
                shared.resolve("data/gsm8k-test.jsonl").toString(), "--limit", "2");
        assertThat(r.errorLines().get(0)).contains("gsm8k-test.jsonl:1");
    }

    @Test
    void malformedJsonlLineNamesItsLineNumber() throws IOException {
        Path bad = tmp.resolve("bad.jsonl");
        Files.writeString(bad, "{\"prompt_ids\": [1, 2]}\n{\"prompt_ids\": [3]}\n{\"prompt_ids\": [4,\n");
        assertBadInput("line 3: not valid JSON", "--model", gpt2.toString(), "--data", bad.toString());
    }

    @Test
    void unknownFlag() throws IOException {
        assertBadInput("Unknown option", "--model", gpt2.toString(), "--data", ids.toString(),
                "--sample-count", "3");
    }

    @Test
    void outOfRangeValues() throws IOException {
        String[][] cases = {
            {"--samples", "0", "--samples must be"},
            {"--max-new-tokens", "0", "--max-new-tokens must be >= 1"},
            {"--temperature", "-0.5", "--temperature must be"},
            {"--top-k", "-1", "--top-k must be >= 0"},
            {"--top-p", "1.5", "--top-p must be in (0, 1]"},
            {"--batch-size", "0", "--batch-size must be"},
            {"--limit", "0", "--limit must be >= 1"},
            {"--device", "tpu", "--device must be cpu or cuda"},
            {"--kernels", "gpu", "--kernels must be one of"},
            {"--prompt-format", "xml", "--prompt-format must be plain or chat"},
            {"--samples", "many", "--samples"},
        };
        for (String[] c : cases) {
            assertBadInput(c[2], "--model", gpt2.toString(), "--data", ids.toString(), c[0], c[1]);
        }
    }

    @Test
    void kernelBackendThatIsNotThereIsRefusedBeforeOutExists() throws IOException {
        // Surefire's JVM has no TornadoVM runtime: asking for it is the user's choice, so exit 2, and the
        // fresh --out is not even created.
        Path fresh = tmp.resolve("fresh-tornado");
        assertBadInput("--kernels tornado", "--model", gpt2.toString(), "--data", ids.toString(), "--kernels",
                "tornado", "--out", fresh.toString());
        assertThat(fresh).doesNotExist();
    }

    @Test
    void outThatIsAFile() throws IOException {
        Path file = tmp.resolve("not-a-dir.txt");
        Files.writeString(file, "keep me");
        assertBadInput("is a file", "--model", gpt2.toString(), "--data", ids.toString(), "--out", file.toString());
        assertThat(Files.readString(file)).isEqualTo("keep me");
        // A file on the way to --out: the directory cannot be created.
        assertBadInput("cannot create --out", "--model", gpt2.toString(), "--data", ids.toString(), "--out",
                file.resolve("sub").toString());
        assertThat(Files.readString(file)).isEqualTo("keep me");
    }

    @Test
    void differentSettingsWithoutOverwrite() throws IOException {
        assertBadInput("different settings (seed was 0, now 5)", "--model", gpt2.toString(), "--data",
                ids.toString(), "--temperature", "0", "--max-new-tokens", "4", "--seed", "5");
    }

    @Test
    void chatFormatWithPromptIds() throws IOException {
        assertBadInput("no chat_template", "--model", gpt2.toString(), "--data", ids.toString(),
                "--prompt-format", "chat");
    }

    @Test
    void sameSettingsResumeAndPrintTheSummaryTable() throws IOException {
        Path again = Files.createDirectories(tmp.resolve("again"));
        for (var e : earlierFiles.entrySet()) {
            Files.write(again.resolve(e.getKey()), e.getValue());
        }
        CliRun r = CliRun.of("score", "--model", gpt2.toString(), "--data", ids.toString(), "--temperature", "0",
                "--max-new-tokens", "4", "--out", again.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("(2 resumed, 0 new)").contains("self_certainty").contains("pass@k")
                .contains("wait/but/let me");
        assertThat(Arrays.equals(Files.readAllBytes(again.resolve("rollouts.jsonl")), earlierFiles.get("rollouts.jsonl")))
                .isTrue();
    }
}
