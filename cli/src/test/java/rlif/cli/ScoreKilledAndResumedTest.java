package rlif.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code rlif score} SIGKILLed at random points (before the first row, between rows, mid-batch) and rerun into
 * the same {@code --out}: the final {@code rollouts.jsonl} has every (prompt, sample) exactly once, no torn line,
 * and the same rows as an uninterrupted run with the same seed; {@code summary.json} agrees on every metric.
 *
 * <p>Each seed costs four JVM starts; the normal build runs one seed, a longer pass takes a list:
 * {@code -Drlif.killtest.seeds=3,17,101,202,303} (docs/reliability.md).
 */
class ScoreKilledAndResumedTest {
    static final int PROBLEMS = 6;
    static final int SAMPLES = 2;
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    String[] args(Path out, long seed) {
        Path shared = Path.of(System.getProperty("rlif.shared.dir", "../shared"));
        assertThat(shared.resolve("fixtures/ort-genai/tiny-random-llama-fp16"))
                .as("the shared fixtures (../shared) are missing").isDirectory();
        return new String[] {"score", "--model", shared.resolve("fixtures/ort-genai/tiny-random-llama-fp16").toString(),
            "--data", shared.resolve("data/gsm8k-test.jsonl").toString(), "--out", out.toString(),
            "--limit", String.valueOf(PROBLEMS), "--samples", String.valueOf(SAMPLES), "--max-new-tokens", "6",
            "--batch-size", "2", "--temperature", "1.0", "--seed", String.valueOf(seed)};
    }

    @Test
    void killedRunsResumeToTheRowsOfAnUninterruptedRun() throws Exception {
        int kills = 0;
        long[] seeds = ChildRlif.seeds("3");
        for (long seed : seeds) {
            Path straight = tmp.resolve("straight-" + seed);
            ChildRlif.runToEnd(tmp.resolve("straight-" + seed + ".log"), args(straight, seed));

            Path broken = tmp.resolve("broken-" + seed);
            Random r = new Random(seed);
            // two kills per seed: the first at a random row count (0 = while loading the model), the second
            // on the resumed run, further on
            int first = r.nextInt(PROBLEMS * SAMPLES / 2);
            int second = first + 1 + r.nextInt(PROBLEMS * SAMPLES / 2 - 1);
            for (int k : new int[] {first, second}) {
                Path rollouts = broken.resolve("rollouts.jsonl");
                boolean killed = ChildRlif.killWhen(() -> k == 0 ? Files.exists(broken.resolve("summary.json"))
                        : bytesOfRows(rollouts) >= k, tmp.resolve("broken-" + seed + "-" + k + ".log"), args(broken, seed));
                kills += killed ? 1 : 0;
                System.out.printf("score kill test: seed %d, kill after %d rows: %s%n", seed, k,
                        killed ? "killed with " + bytesOfRows(rollouts) + " complete rows on disk" : "finished first");
            }
            ChildRlif.runToEnd(tmp.resolve("resume-" + seed + ".log"), args(broken, seed));

            List<JsonNode> expected = rows(straight.resolve("rollouts.jsonl"));
            List<JsonNode> actual = rows(broken.resolve("rollouts.jsonl"));
            assertThat(actual).hasSize(PROBLEMS * SAMPLES);
            assertThat(sorted(actual)).as("rows after kills and resume, seed %d", seed).isEqualTo(sorted(expected));
            assertThat(metrics(broken)).as("summary after resume, seed %d", seed).isEqualTo(metrics(straight));
            System.out.printf("score kill test: seed %d resumed to %d rows equal to the uninterrupted run (same order: %s)%n",
                    seed, actual.size(), actual.equals(expected));
        }
        assertThat(kills).as("kills that landed before the job ended").isGreaterThanOrEqualTo(seeds.length);
    }

    /** Complete lines written so far (a line is complete once its newline is on disk). */
    static long bytesOfRows(Path rollouts) {
        try {
            if (!Files.exists(rollouts)) {
                return 0;
            }
            byte[] b = Files.readAllBytes(rollouts);
            long n = 0;
            for (byte x : b) {
                n += x == '\n' ? 1 : 0;
            }
            return n;
        } catch (IOException e) {
            return 0;
        }
    }

    /** Every line parses as a JSON object and no (prompt_index, sample) appears twice. */
    static List<JsonNode> rows(Path rollouts) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        Set<String> keys = new HashSet<>();
        String text = Files.readString(rollouts);
        assertThat(text).as("%s ends with a complete line", rollouts).endsWith("\n");
        for (String line : text.split("\n")) {
            JsonNode row = JSON.readTree(line);
            assertThat(row.isObject()).as("row %s", line).isTrue();
            assertThat(keys.add(row.get("prompt_index").asInt() + "/" + row.get("sample").asInt()))
                    .as("duplicate row %s", line).isTrue();
            out.add(row);
        }
        return out;
    }

    static List<JsonNode> sorted(List<JsonNode> rows) {
        return rows.stream().sorted(Comparator.comparingInt((JsonNode n) -> n.get("prompt_index").asInt())
                .thenComparingInt(n -> n.get("sample").asInt())).toList();
    }

    /** summary.json without what depends on the clock or on how the work was split across runs. */
    static JsonNode metrics(Path out) throws IOException {
        ObjectNode s = (ObjectNode) JSON.readTree(out.resolve("summary.json").toFile());
        s.remove(List.of("throughput", "wall_seconds", "resumed_rollouts", "phase_seconds", "provenance"));
        return s;
    }
}
