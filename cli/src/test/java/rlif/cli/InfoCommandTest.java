package rlif.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** {@code rlif info} and {@code rlif bench rollout}'s argument errors through the real entry point. */
class InfoCommandTest {

    record Run(int code, String out, String err) {}

    static Run rlif(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int code = Rlif.execute(args);
            return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    static Path fixture(String name) {
        String dir = System.getProperty("rlif.shared.dir");
        if (dir == null || !Files.isDirectory(Path.of(dir))) {
            fail("../shared is missing (system property rlif.shared.dir = " + dir + ")");
        }
        return Path.of(dir, "fixtures/ort-genai", name);
    }

    @Test
    void infoDescribesTheLlamaFixture() {
        Run r = rlif("info", "--model", fixture("tiny-random-llama-fp16").toString());
        assertThat(r.code()).isZero();
        assertThat(r.out()).containsPattern("layout +ort-genai")
                .containsPattern("architecture +llama")
                .containsPattern("layers +2")
                .containsPattern("heads +1 \\(key/value heads 1, head size 16\\)")
                .containsPattern("vocab +32000")
                .containsPattern("input ids +int64")
                .containsPattern("kv cache +float16")
                .containsPattern("logits +float16")
                .containsPattern("eos ids +1")
                .containsPattern("pad id +2")
                .containsPattern("external data +model.onnx.data \\(2.0 MiB, 2130080 bytes\\)")
                .containsPattern("tokenizer eos +'</s>' = id 2 \\(not an eos id of the model");
    }

    @Test
    void infoDescribesTheGpt2FixtureAndWarnsAboutItsTokenizer() {
        Run r = rlif("info", "--model", fixture("tiny-random-gpt2-fp32").toString());
        assertThat(r.code()).isZero();
        assertThat(r.out()).containsPattern("kv cache +float32, stacked")
                .containsPattern("input ids +int32")
                .containsPattern("vocab +1000")
                .contains("cannot embed");
    }

    @Test
    void infoOnAMissingDirectoryIsOneErrorLineAndExitTwo() {
        Run r = rlif("info", "--model", "/nonexistent/model");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err().lines().filter(l -> l.startsWith("error:")).toList())
                .containsExactly("error: model directory /nonexistent/model does not exist");
        assertThat(r.err()).doesNotContain("Exception");
    }

    @Test
    void benchNeedsASubcommandAndRolloutRefusesBadArguments() {
        assertThat(rlif("bench").code()).isEqualTo(2);
        Run threads = rlif("bench", "rollout", "--threads", "-1");
        assertThat(threads.code()).isEqualTo(2);
        assertThat(threads.err()).contains("error: --threads must be >= 0");
        Run device = rlif("bench", "rollout", "--quick", "--device", "tpu",
                "--model", fixture("tiny-random-llama-fp16").toString());
        assertThat(device.code()).isEqualTo(2);
        assertThat(device.err()).contains("--device must be cpu or cuda");
    }
}
