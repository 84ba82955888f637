package rlif.models.dir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import rlif.models.BadInputException;
import rlif.models.importer.CheckpointSource;
import rlif.models.importer.ModelImporter;
import rlif.models.tensor.DType;

/**
 * The adversarial config.json values that a model directory used to accept (heads 0 or -1, layers 0/-1/1e9/1.5 or
 * disagreeing with the graph, a negative context, a config that is a JSON array) are refused naming the file and
 * the key, before any session opens.
 */
class ConfigValuesTest {
    @TempDir
    Path tmp;

    @Test
    void everySizeTheScorerUsesIsCheckedAgainstTheFileAndTheGraph() throws Exception {
        Path model = tmp.resolve("m");
        try (CheckpointSource src = ModelImporter.open("safetensors", Path.of("src/test/resources/interop/llama_gqa_tied"))) {
            ModelImporter.importModel(src, model, DType.F32, n -> {});
        }
        assertThat(ModelDirectory.open(model).config().heads()).isEqualTo(2);
        ObjectMapper json = new ObjectMapper();
        String original = Files.readString(model.resolve("config.json"));
        Object[][] cases = {{"num_attention_heads", 0}, {"num_attention_heads", -1}, {"num_hidden_layers", 0},
            {"num_hidden_layers", -1}, {"num_hidden_layers", 1e9}, {"num_hidden_layers", 1.5}, {"num_hidden_layers", 3},
            {"max_position_embeddings", -1}, {"num_key_value_heads", 0}};
        for (Object[] c : cases) {
            ObjectNode cfg = (ObjectNode) json.readTree(original);
            cfg.set((String) c[0], json.valueToTree(c[1]));
            Files.writeString(model.resolve("config.json"), cfg.toString());
            assertThatThrownBy(() -> ModelDirectory.open(model)).as("%s = %s", c[0], c[1]).isInstanceOf(BadInputException.class)
                    .hasMessageContaining("config.json").hasMessageContaining((String) c[0]);
        }
        Files.writeString(model.resolve("config.json"), "[" + original + "]");
        assertThatThrownBy(() -> ModelDirectory.open(model)).isInstanceOf(BadInputException.class)
                .hasMessageContaining("config.json: not a JSON object");
    }
}
