package rlif.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class TrainDefaultOutTest {
    @Test
    void aRunWithoutOutGoesUnderRunsInTheCurrentDirectoryNeverBesideItsConfig() {
        Path config = Path.of("..", "docs", "examples", "grpo-self-certainty.yaml");
        Path out = TrainCommand.defaultOut(config);
        assertThat(out).isEqualTo(Path.of("runs", "grpo-self-certainty").toAbsolutePath());
        assertThat(out.normalize().startsWith(config.toAbsolutePath().normalize().getParent())).isFalse();
    }
}
