package rlif.models.arch;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.ref.WeakReference;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import rlif.models.importer.CheckpointSource;
import rlif.models.importer.ModelImporter;
import rlif.models.tensor.DType;
import rlif.models.tensor.Tensor;

/**
 * {@link OnnxWeightSource} keeps only the memory-mapped file: what {@code get} transposes back into the Hugging Face
 * layout belongs to the caller. The trainer holds its base source for a whole run, so a source that kept those
 * copies would hold every linear of the model on the heap (490 MB for SmolLM2) next to ONNX Runtime's own.
 */
class OnnxWeightSourceTest {
    @TempDir
    Path tmp;

    private OnnxWeightSource imported() {
        Path out = tmp.resolve("llama");
        try (CheckpointSource src = ModelImporter.open("safetensors", TransformersGoldenTest.GOLDENS.resolve("llama_gqa_tied"))) {
            ModelImporter.importModel(src, out, DType.F32, n -> {});
        }
        return OnnxWeightSource.open(out);
    }

    @Test
    void transposedWeightIsTheCallersCopyAndTheSourceKeepsNoReference() {
        OnnxWeightSource source = imported();
        String name = "model.layers.0.self_attn.q_proj.weight";
        float[] first = source.get(name).toFloats();

        Tensor given = source.get(name);
        given.data().putFloat(0, first[0] + 1f); // the caller may do what it likes with its copy
        assertThat(source.get(name).toFloats()).containsExactly(first);

        WeakReference<Tensor> held = new WeakReference<>(given);
        given = null;
        for (int i = 0; i < 50 && held.get() != null; i++) {
            System.gc();
        }
        assertThat(held.get()).as("a transposed weight the caller dropped is still reachable from the source").isNull();
    }
}
