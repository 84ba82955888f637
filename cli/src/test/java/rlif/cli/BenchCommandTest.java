package rlif.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Usage errors of {@code rlif bench}; the measuring itself is exercised by running the command, not in tests. */
class BenchCommandTest {
    private static String stderrOf(String... args) {
        PrintStream saved = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            assertThat(Rlif.execute(args)).isEqualTo(2);
        } finally {
            System.setErr(saved);
        }
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void benchWithoutASubcommandIsAUsageError() {
        assertThat(stderrOf("bench")).startsWith("error: bench needs a subcommand");
    }

    @Test
    void nonPositiveThreadsIsAUsageError() {
        assertThat(stderrOf("bench", "kernels", "--threads", "0")).startsWith("error: --threads must be >= 1, got 0");
    }
}
