package rlif.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad input to {@code rlif demo} exits 2 with one {@code error:} line, before any work or output. */
class DemoCommandBadInputTest {
    @TempDir
    Path tmp;

    private CliRun demo(String... args) {
        String[] all = new String[args.length + 1];
        all[0] = "demo";
        System.arraycopy(args, 0, all, 1, args.length);
        return CliRun.of(all);
    }

    private static Path committed(String name) {
        return Path.of("..", "models", name).toAbsolutePath().normalize();
    }

    @Test
    void aFileAsOutIsRefused() throws IOException {
        Path file = Files.writeString(tmp.resolve("file"), "x");
        var run = demo("--quick", "--out", file.toString(), "--base", committed("arith-base").toString(),
                "--instruct", committed("arith-instruct").toString());
        assertThat(run.code()).isEqualTo(2);
        assertThat(run.errorLines()).containsExactly("error: --out " + file + " is a file; expected a directory");
    }

    @Test
    void aMissingModelIsRefusedBeforeOutIsCreated() {
        Path out = tmp.resolve("out");
        var run = demo("--quick", "--out", out.toString(), "--base", tmp.resolve("nope").toString(),
                "--instruct", committed("arith-instruct").toString());
        assertThat(run.code()).isEqualTo(2);
        assertThat(run.errorLines()).hasSize(1).first().asString().contains("nope");
        assertThat(out).doesNotExist();
    }

    @Test
    void anUnknownArmIsRefusedBeforeOutIsCreated() {
        Path out = tmp.resolve("out");
        var run = demo("--arms", "self_certainty,rlvr", "--out", out.toString());
        assertThat(run.code()).isEqualTo(2);
        assertThat(run.errorLines()).hasSize(1).first().asString().contains("--arms: unknown arm 'rlvr'")
                .contains("verifiable");
        assertThat(out).doesNotExist();
    }
}
