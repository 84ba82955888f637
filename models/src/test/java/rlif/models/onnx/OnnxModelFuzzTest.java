package rlif.models.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import rlif.models.dir.OnnxModelFile;
import rlif.models.fuzz.FuzzHarness;
import rlif.models.tensor.Tensor;

/**
 * ONNX model files from strangers, with external data: the protobuf parses or is refused, every external
 * reference resolves to a file inside the model directory (a data file sits next to the directory to be
 * reached by {@code ../}), and every initializer read stays within its file. Seeds: OnnxModelFuzzTestInputs/model/.
 */
class OnnxModelFuzzTest {
    /** Size of the data file the seeds point into. */
    static final int DATA_BYTES = 4096;

    @TempDir
    static Path root;
    static Path modelDir;

    @BeforeAll
    static void layout() throws IOException {
        modelDir = Files.createDirectories(root.resolve("model"));
        byte[] data = new byte[DATA_BYTES];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (i * 31);
        }
        Files.write(modelDir.resolve("model.onnx.data"), data);
        Files.write(modelDir.resolve("weights.bin"), data);
        // bait: a fuzzed location reaching out of the model directory must be refused, not read
        Files.write(root.resolve("outside.data"), data);
        Files.write(root.resolve("model.onnx.data"), data);
    }

    @FuzzTest(maxDuration = "5m")
    void model(byte[] input) throws IOException {
        check(input);
    }

    @Test
    void mutatedSeedsParseOrFailWithBadInput() throws IOException {
        assertThat(FuzzHarness.mutateSeeds(getClass(), "model", 200, 17, this::check)).isGreaterThan(200);
    }

    private void check(byte[] input) throws IOException {
        Path f = modelDir.resolve("model.onnx");
        Files.write(f, input);
        Path inside = modelDir.toRealPath();
        FuzzHarness.expectOnlyBadInput(input.length, () -> {
            try (OnnxModel m = OnnxModel.read(f)) {
                for (Path p : m.checkExternalData().keySet()) {
                    assertThat(p.toRealPath()).as("external data file").startsWith(inside);
                }
                for (Tensor t : m.initializers().values()) {
                    assertThat((long) t.data().remaining()).isLessThanOrEqualTo(Math.max(input.length, DATA_BYTES));
                }
            }
        });
        FuzzHarness.expectOnlyBadInput(input.length, () -> {
            for (Path p : OnnxModelFile.read(f, modelDir).externalFiles().keySet()) {
                assertThat(p.toRealPath()).as("external data file").startsWith(inside);
            }
        });
    }
}
