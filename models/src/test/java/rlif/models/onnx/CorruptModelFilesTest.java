package rlif.models.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import rlif.models.BadInputException;
import rlif.models.graph.GraphBuilder;
import rlif.models.graph.Shape;
import rlif.models.graph.Value;
import rlif.models.tensor.DType;
import rlif.models.tensor.Tensor;

/**
 * Randomly corrupted and truncated model files (flipped bytes, cut tails) either read or fail with a
 * {@link BadInputException}: never another exception, an out-of-memory or a crash.
 */
class CorruptModelFilesTest {
    @TempDir
    Path dir;

    @Test
    void mutatedModelFilesFailOnlyWithBadInput() throws Exception {
        GraphBuilder g = new GraphBuilder("m");
        Value x = g.input("x", DType.F32, Shape.parse("batch", 8));
        float[] w = new float[8 * 300];
        java.util.Arrays.fill(w, 0.5f);
        Value big = g.initializer("w", Tensor.ofFloats("w", new long[] {8, 300}, w));
        Value small = g.initializer("b", Tensor.ofFloats("b", new long[] {300}, new float[300]));
        g.output("y", g.linear(x, big, small));
        g.save(dir, "model.onnx");
        byte[] good = Files.readAllBytes(dir.resolve("model.onnx"));
        Random r = new Random(42);
        int ok = 0, refused = 0;
        for (int trial = 0; trial < 400; trial++) {
            byte[] bad = good.clone();
            if (trial % 4 == 0) {
                bad = java.util.Arrays.copyOf(bad, r.nextInt(bad.length));
            } else {
                for (int k = 0; k < 1 + r.nextInt(4); k++) {
                    bad[r.nextInt(bad.length)] = (byte) r.nextInt(256);
                }
            }
            Path f = dir.resolve("model.onnx");
            Files.write(f, bad);
            try (OnnxModel m = OnnxModel.read(f)) {
                m.checkExternalData();
                m.initializers();
                ok++;
            } catch (BadInputException e) {
                assertThat(e.getMessage()).contains("model.onnx");
                refused++;
            }
        }
        assertThat(refused).as("most corruptions are detected").isGreaterThan(100);
        assertThat(ok + refused).isEqualTo(400);
    }
}
