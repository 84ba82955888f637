package rlif.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Redrawn (carriage-return) lines are dropped whole, plain lines pass whole and in order. */
class ProgressLineFilterTest {
    @Test
    void barFramesVanishAndLinesStay() throws Exception {
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        try (ProgressLineFilter f = new ProgressLineFilter(sink)) {
            f.write("note: starting\n".getBytes(StandardCharsets.UTF_8));
            for (int i = 0; i <= 100; i += 25) {
                f.write(("\rimport " + i + "% [=====     ]").getBytes(StandardCharsets.UTF_8));
                f.flush();
            }
            f.write("\n".getBytes(StandardCharsets.UTF_8));
            f.write("error: something named\n".getBytes(StandardCharsets.UTF_8));
            f.write("tail without newline".getBytes(StandardCharsets.UTF_8));
        }
        assertThat(sink.toString(StandardCharsets.UTF_8)).isEqualTo("note: starting\nerror: something named\ntail without newline");
    }
}
