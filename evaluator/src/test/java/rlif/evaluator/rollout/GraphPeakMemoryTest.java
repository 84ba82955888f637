package rlif.evaluator.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import rlif.models.dir.ModelDirectory;

/**
 * The generation graph's peak memory has no {@code [batch, steps, vocab]} term: only ids and per-step signals
 * accumulate over the loop, never logits.
 *
 * <p>Measured as the process's resident high-water mark (Linux {@code VmHWM}, reset through
 * {@code /proc/self/clear_refs}) across one {@code generate} call of 16 rows on the llama fixture (vocab 32000): 8 new
 * tokens, then 256. Had the loop kept each step's logits, the long call would peak at least
 * {@code 16 x 256 x 32000 x 4 B = 500 MiB} higher; its key/value cache is 16 x 2 layers x 2 x 256 x 16 float16 values
 * (0.5 MiB). The bound allows 62 MiB for the JVM and ONNX Runtime's arena, an eighth of the term it rules out. (Linux
 * folds threads' page counts into these figures in batches, so a small growth reads within a MiB or two of zero,
 * either side.)
 */
class GraphPeakMemoryTest {
    private static final Path STATUS = Path.of("/proc/self/status");
    private static final Path CLEAR_REFS = Path.of("/proc/self/clear_refs");

    @Test
    void longerRolloutsDoNotRaiseThePeakByAnythingLikeTheLogitsOfEveryStep() throws Exception {
        assumeThat(Files.isWritable(CLEAR_REFS)).as("needs Linux /proc/self/clear_refs").isTrue();
        ModelDirectory model = Fixtures.llama();
        int[] prompt = GraphEngineEquivalenceTest.encode(model, "What is 2 + 3?").getFirst();
        List<RolloutRequest> rows = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            rows.add(new RolloutRequest(prompt, i));
        }
        // The fixture's eos id has probability ~3e-5 per step, so the loop runs the whole 256 steps for the other rows.
        try (GraphRolloutEngine engine = new GraphRolloutEngine(model, EngineOptions.defaults())) {
            long shortPeak = peakGrowth(() -> engine.generate(rows, new SamplingParams(1.0, 0, 1, 8)));
            long longPeak = peakGrowth(() -> engine.generate(rows, new SamplingParams(1.0, 0, 1, 256)));
            long steps = engine.stats().decodeSteps();
            long logitsTerm = 16L * 256 * model.config().vocab() * 4;
            System.out.printf("peak growth: 8 tokens %d MiB, 256 tokens %d MiB; a [batch, steps, vocab] float32 term would be %d MiB%n",
                    shortPeak >> 20, longPeak >> 20, logitsTerm >> 20);
            assertThat(steps).as("decode steps run").isGreaterThan(200);
            assertThat(longPeak - shortPeak).isLessThan(logitsTerm / 8);
        }
    }

    /** Bytes the resident high-water mark rose by while {@code work} ran, from a fresh mark. */
    private static long peakGrowth(Runnable work) throws IOException {
        System.gc();
        Files.writeString(CLEAR_REFS, "5");
        long before = kib("VmHWM");
        work.run();
        return (kib("VmHWM") - before) * 1024;
    }

    private static long kib(String field) throws IOException {
        Matcher m = Pattern.compile(field + ":\\s+(\\d+) kB").matcher(Files.readString(STATUS));
        if (!m.find()) {
            throw new IllegalStateException("no " + field + " in " + STATUS);
        }
        return Long.parseLong(m.group(1));
    }
}
