package rlif.models.importer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import rlif.models.BadInputException;
import rlif.models.dir.ModelDirectory;
import rlif.models.tensor.DType;

/**
 * One rule for symlinks whatever the file: inside the model directory they are followed; out of it they are refused
 * (model.safetensors and model.onnx as model.onnx.data already was), except in a Hugging Face cache snapshot, whose
 * files are symlinks into {@code ../../blobs}, which imports as the folder it stands for.
 */
class SymlinkRuleTest {
    static final Path GOLDEN = Path.of("src/test/resources/interop/llama_gqa_tied");
    static final String[] FILES = {"config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json"};

    @TempDir
    Path tmp;

    @Test
    void aHuggingFaceCacheSnapshotImports() throws Exception {
        Path entry = tmp.resolve("hub/models--tiny--llama");
        Path blobs = Files.createDirectories(entry.resolve("blobs"));
        Path snapshot = Files.createDirectories(entry.resolve("snapshots/0123abcd"));
        int i = 0;
        for (String f : FILES) {
            String blob = "blob" + i++; // the cache names blobs by content hash
            Files.copy(GOLDEN.resolve(f), blobs.resolve(blob));
            Files.createSymbolicLink(snapshot.resolve(f), Path.of("../../blobs/" + blob));
        }
        Path out = tmp.resolve("imported");
        try (CheckpointSource src = ModelImporter.open("safetensors", snapshot)) {
            ModelImporter.importModel(src, out, DType.F32, n -> {});
        }
        assertThat(ModelDirectory.open(out).config().layers()).isEqualTo(2);
    }

    @Test
    void symlinksInsideTheFolderAreFollowedAndOnesLeavingItAreRefusedForEveryFile() throws Exception {
        Path inside = Files.createDirectories(tmp.resolve("inside"));
        Files.createDirectories(inside.resolve("weights"));
        for (String f : FILES) {
            Files.copy(GOLDEN.resolve(f), f.equals("model.safetensors") ? inside.resolve("weights/w.safetensors") : inside.resolve(f));
        }
        Files.createSymbolicLink(inside.resolve("model.safetensors"), Path.of("weights/w.safetensors"));
        try (CheckpointSource src = ModelImporter.open("safetensors", inside)) {
            assertThat(src.weights().names()).isNotEmpty();
        }

        for (String escaping : new String[] {"model.safetensors", "config.json", "tokenizer.json"}) {
            Path dir = Files.createDirectories(tmp.resolve("escape-" + escaping));
            for (String f : FILES) {
                if (f.equals(escaping)) {
                    Files.createSymbolicLink(dir.resolve(f), GOLDEN.resolve(f).toAbsolutePath());
                } else {
                    Files.copy(GOLDEN.resolve(f), dir.resolve(f));
                }
            }
            assertThatThrownBy(() -> {
                try (CheckpointSource src = ModelImporter.open("safetensors", dir)) {
                    ModelImporter.importModel(src, tmp.resolve("never-" + escaping), DType.F32, n -> {});
                }
            }).as(escaping).isInstanceOf(BadInputException.class).hasMessageContaining("leaves the model directory");
        }

        // a snapshot-looking folder whose links go anywhere but its cache's blobs is not a snapshot
        Path fake = Files.createDirectories(tmp.resolve("hub2/models--x--y/snapshots/r1"));
        Files.createDirectories(tmp.resolve("hub2/models--x--y/blobs"));
        for (String f : FILES) {
            Files.createSymbolicLink(fake.resolve(f), GOLDEN.resolve(f).toAbsolutePath());
        }
        assertThatThrownBy(() -> ModelImporter.open("safetensors", fake).close()).isInstanceOf(BadInputException.class)
                .hasMessageContaining("outside the cache's blobs");
    }

    @Test
    void aDecoderThatLinksOutOfItsModelDirectoryIsRefused() throws Exception {
        Path model = tmp.resolve("model");
        try (CheckpointSource src = ModelImporter.open("safetensors", GOLDEN)) {
            ModelImporter.importModel(src, model, DType.F32, n -> {});
        }
        Path other = Files.createDirectories(tmp.resolve("other"));
        for (String f : new String[] {"config.json", "rlif.json", "tokenizer.json", "genai_config.json"}) {
            Files.copy(model.resolve(f), other.resolve(f));
        }
        Files.createSymbolicLink(other.resolve("model.onnx"), model.resolve("model.onnx"));
        assertThatThrownBy(() -> ModelDirectory.open(other)).isInstanceOf(BadInputException.class)
                .hasMessageContaining("leaves the model directory");
    }
}
