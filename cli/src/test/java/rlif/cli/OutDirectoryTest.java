package rlif.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --out} as the CLI contract has it: one run per directory at a time (checked with two real rlif processes),
 * a SIGKILLed holder never blocking the next run, and an empty, foreign or unwritable {@code --out} refused with exit 2
 * and one {@code error:} line. A failure after a progress bar leaves only that line on a non-terminal stderr.
 */
class OutDirectoryTest {
    @TempDir
    Path tmp;

    static Path shared(String rel) {
        Path shared = Path.of(System.getProperty("rlif.shared.dir", "../shared"));
        assertThat(shared.resolve("fixtures")).as("the shared fixtures (../shared) are missing").isDirectory();
        return shared.resolve(rel);
    }

    static String[] score(Path out, int limit, String... extra) {
        String[] base = {"score", "--model", shared("fixtures/ort-genai/tiny-random-llama-fp16").toString(),
            "--data", shared("data/gsm8k-test.jsonl").toString(), "--out", out.toString(), "--limit", String.valueOf(limit),
            "--samples", "4", "--max-new-tokens", "48", "--batch-size", "4", "--temperature", "1.0"};
        String[] all = java.util.Arrays.copyOf(base, base.length + extra.length);
        System.arraycopy(extra, 0, all, base.length, extra.length);
        return all;
    }

    @Test
    void aSecondRunIntoTheSameOutExitsTwoNamingTheFirstAndAKilledHolderBlocksNothing() throws Exception {
        Path out = tmp.resolve("run");
        Process first = ChildRlif.start(tmp.resolve("first.log"), score(out, 1319));
        try {
            // bounded wait for the first run to be inside its job: rows on disk means it holds the lock
            boolean running = false;
            for (int i = 0; i < 4000 && !running; i++) {
                running = ScoreKilledAndResumedTest.bytesOfRows(out.resolve("rollouts.jsonl")) > 0;
                if (first.waitFor(25, TimeUnit.MILLISECONDS)) {
                    break;
                }
            }
            assertThat(running).as("the first run started writing rows; log %s", tmp.resolve("first.log")).isTrue();
            Path secondLog = tmp.resolve("second.log");
            Process second = ChildRlif.start(secondLog, score(out, 1319));
            assertThat(ChildRlif.exitCode(second)).isEqualTo(2);
            assertThat(first.isAlive()).as("the first run was still going when the second was refused").isTrue();
            String log = Files.readString(secondLog);
            assertThat(log.lines().filter(l -> l.startsWith("error:")).toList()).singleElement().asString()
                    .contains("in use by another rlif run").contains("pid " + first.pid()).contains("rlif score");
            assertThat(log).doesNotContain("\tat ");
        } finally {
            first.destroyForcibly().waitFor();
        }
        // SIGKILLed: the OS dropped its lock, so the next run proceeds (here replacing it with a short one)
        ChildRlif.runToEnd(tmp.resolve("third.log"), score(out, 2, "--overwrite"));
        assertThat(ScoreKilledAndResumedTest.bytesOfRows(out.resolve("rollouts.jsonl"))).isEqualTo(8);
    }

    @Test
    void anEmptyForeignOrUnwritableOutIsOneErrorLine() throws Exception {
        Path model = shared("fixtures/ort-genai/tiny-random-llama-fp16");
        Path copy = Files.createDirectories(tmp.resolve("a-model-dir"));
        Files.writeString(copy.resolve("config.json"), "{}");
        for (String[] c : new String[][] {{"", "--out is empty"}, {copy.toString(), "holds no earlier rlif score run"},
                {"/proc/self", "cannot be written"}, {model.resolve("genai_config.json").toString(), "is a file"}}) {
            CliRun r = CliRun.of(score(Path.of(c[0]), 1));
            assertThat(r.code()).as("rlif score --out '%s'", c[0]).isEqualTo(2);
            assertThat(r.errorLines()).as("stderr of --out '%s': %s", c[0], r.err()).singleElement().asString().contains(c[1]);
            assertThat(r.err().lines().count()).as("stderr of --out '%s'", c[0]).isEqualTo(1);
        }
        assertThat(copy.resolve("rollouts.jsonl")).doesNotExist();
        CliRun mix = CliRun.of("mix", "--model", model.toString(), "--with", model.toString(), "--alpha", "0.5", "--out", copy.toString());
        assertThat(mix.code()).isEqualTo(2);
        assertThat(mix.errorLines()).singleElement().asString().contains("already exists; pass --overwrite");
    }

    @Test
    void onANonTerminalStderrAFailedImportEndsInItsOneErrorLineWithNoRedrawnText() throws Exception {
        Path src = Files.createDirectories(tmp.resolve("no-tokenizer"));
        Path golden = Path.of("../models/src/test/resources/interop/llama_gqa_tied");
        Files.copy(golden.resolve("config.json"), src.resolve("config.json"));
        Files.copy(golden.resolve("model.safetensors"), src.resolve("model.safetensors"));
        Path log = tmp.resolve("import.log");
        Process p = ChildRlif.start(log, "import", "--from", "safetensors", src.toString(), "--out", tmp.resolve("m").toString());
        assertThat(ChildRlif.exitCode(p)).isEqualTo(2);
        String text = Files.readString(log);
        // A log gets whole status lines (docs/cli.md, "Progress"), never a bar's carriage-return redraws, and the
        // error is the one error line, and the last.
        assertThat(text).doesNotContain("\r");
        List<String> lines = text.lines().filter(l -> !l.isBlank() && !l.startsWith("WARNING")).toList();
        assertThat(lines.stream().filter(l -> l.startsWith("error:"))).singleElement().asString().contains("tokenizer.json");
        assertThat(lines.getLast()).startsWith("error: ");
    }
}
