package rlif.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Usage errors of {@code rlif bench}; the measuring itself is exercised by running the command, not in tests. */
class BenchCommandTest {
    private static String stderrOf(String... args) {
        CliRun run = CliRun.of(args);
        assertThat(run.code()).isEqualTo(2);
        return run.err();
    }

    @Test
    void benchWithoutASubcommandIsAUsageError() {
        assertThat(stderrOf("bench")).startsWith("error: bench needs a subcommand");
    }

    @Test
    void nonPositiveThreadsIsAUsageError() {
        assertThat(stderrOf("bench", "kernels", "--threads", "0")).startsWith("error: --threads must be >= 1, got 0");
    }

    @Test
    void unknownOrMissingKernelBackendsAreBadInput() {
        assertThat(stderrOf("bench", "kernels", "--kernels", "cuda")).startsWith("error: --kernels takes tornado, vector");
        // No TornadoVM runtime in this JVM: asked for by name, tornado is refused with the reason, never skipped.
        assertThat(stderrOf("bench", "kernels", "--kernels", "tornado")).startsWith("error: --kernels tornado is unavailable");
    }

    @Test
    void benchRolloutTakesOnlyItsEngines() {
        assertThat(stderrOf("bench", "rollout", "--engines", "step,fast")).startsWith(
                "error: --engines takes step and graph, got 'fast'");
    }

    @Test
    void benchRolloutSpinningIsAutoOnOrOff() {
        assertThat(stderrOf("bench", "rollout", "--spinning", "sometimes")).startsWith(
                "error: --spinning sometimes is not one of auto, on, off");
    }

    @Test
    void benchRolloutPresentBuffersAreOnOrOff() {
        assertThat(stderrOf("bench", "rollout", "--present-buffers", "maybe")).startsWith(
                "error: --present-buffers maybe is not one of on, off");
    }
}
