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

    static Path fixture(String name) {
        String dir = System.getProperty("rlif.shared.dir");
        if (dir == null || !Files.isDirectory(Path.of(dir))) {
            fail("../shared is missing (system property rlif.shared.dir = " + dir + ")");
        }
        return Path.of(dir, "fixtures/ort-genai", name);
    }

    @Test
    void infoDescribesTheLlamaFixture() {
        CliRun r = CliRun.of("info", "--model", fixture("tiny-random-llama-fp16").toString());
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
        CliRun r = CliRun.of("info", "--model", fixture("tiny-random-gpt2-fp32").toString());
        assertThat(r.code()).isZero();
        assertThat(r.out()).containsPattern("kv cache +float32, stacked")
                .containsPattern("input ids +int32")
                .containsPattern("vocab +1000")
                .contains("cannot embed");
    }

    @Test
    void infoOnAMissingDirectoryIsOneErrorLineAndExitTwo() {
        CliRun r = CliRun.of("info", "--model", "/nonexistent/model");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err().lines().filter(l -> l.startsWith("error:")).toList())
                .containsExactly("error: model directory /nonexistent/model does not exist");
        assertThat(r.err()).doesNotContain("Exception");
    }

    @Test
    void benchNeedsASubcommandAndRolloutRefusesBadArguments() {
        assertThat(CliRun.of("bench").code()).isEqualTo(2);
        CliRun threads = CliRun.of("bench", "rollout", "--threads", "-1");
        assertThat(threads.code()).isEqualTo(2);
        assertThat(threads.err()).contains("error: --threads must be >= 0");
        CliRun device = CliRun.of("bench", "rollout", "--quick", "--device", "tpu",
                "--model", fixture("tiny-random-llama-fp16").toString());
        assertThat(device.code()).isEqualTo(2);
        assertThat(device.err()).contains("--device must be cpu or cuda");
    }
}
