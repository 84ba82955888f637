package rlif.models.dir;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import rlif.models.BadInputException;
import rlif.models.onnx.OnnxModel;

/**
 * A model directory whose external data file is a symlink to a file outside it is refused by both readers
 * of external data (the directory check and the weight reader), so a hostile directory cannot make rlif read,
 * and later echo into a checkpoint, a file elsewhere on the machine.
 */
class ExternalDataSymlinkTest {
    @Test
    void externalDataLinkedFromOutsideTheDirectoryIsRefused(@TempDir Path tmp) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("model"));
        // a two-initializer model whose weights sit in model.onnx.data (the ONNX fuzz seed)
        byte[] model;
        try (var in = getClass().getResourceAsStream("/rlif/models/onnx/OnnxModelFuzzTestInputs/model/linear-external")) {
            model = in.readAllBytes();
        }
        Files.write(dir.resolve("model.onnx"), model);
        Path secret = Files.write(tmp.resolve("secret.bin"), new byte[4096]);
        Files.createSymbolicLink(dir.resolve("model.onnx.data"), secret);

        assertThatThrownBy(() -> OnnxModelFile.read(dir.resolve("model.onnx"), dir))
                .isInstanceOf(BadInputException.class).hasMessageContaining("leaves the model directory");
        assertThatThrownBy(() -> {
            try (OnnxModel m = OnnxModel.read(dir.resolve("model.onnx"))) {
                m.initializers();
            }
        }).isInstanceOf(BadInputException.class).hasMessageContaining("outside the model directory");
    }
}
