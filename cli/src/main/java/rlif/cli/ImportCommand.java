package rlif.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import rlif.models.BadInputException;
import rlif.models.arch.LinearWeights;
import rlif.models.importer.CheckpointSource;
import rlif.models.io.OutLock;
import rlif.models.importer.ModelImporter;
import rlif.models.importer.ImportDtype;
import rlif.models.progress.Progress;
import rlif.models.progress.ProgressSink;

/** {@code rlif import}: a safetensors folder, GGUF file or ORT-GenAI ONNX folder becomes an rlif model directory. */
@Command(name = "import", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Import a checkpoint as an rlif model directory (ONNX decoder with KV cache, config, tokenizer).")
public final class ImportCommand implements Callable<Integer> {
    @Option(names = "--from", required = true, paramLabel = "safetensors|gguf|onnx",
            description = "source format: a Hugging Face model folder, a GGUF file, or an ONNX Runtime GenAI llama folder")
    String from;

    @Parameters(index = "0", paramLabel = "SRC", description = "the checkpoint folder or file")
    Path source;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "model directory to create")
    Path out;

    @Option(names = "--dtype", paramLabel = "fp32|fp16|int4|int8", defaultValue = "fp32",
            description = "weight type of the ONNX decoder (default: ${DEFAULT-VALUE}); int4/int8 store linear weights"
                    + " as ONNX Runtime MatMulNBits blocks: a GGUF's quantized blocks are kept (Q4_0, Q4_1, Q4_K at 4"
                    + " bits; Q8_0, Q5_K, Q6_K at 8; at level 4 Q4_1/K-quant minimums become zero points and the head"
                    + " 4 bits, as ONNX Runtime GenAI's layout, unless --keep-offsets), float weights are quantized in"
                    + " blocks of 32")
    String dtype;

    @Option(names = "--accuracy-level", paramLabel = "1|4", defaultValue = "4",
            description = "int4 only: MatMulNBits' accuracy level; 4 rounds activations to int8 per block for integer"
                    + " dot products (fastest; signals move, see docs/rollout-engine.md), 1 multiplies in float32, exact"
                    + " up to float rounding (8-bit source blocks such as Q8_0 are then stored as float32)"
                    + " (default: ${DEFAULT-VALUE})")
    int accuracyLevel;

    @Option(names = "--keep-offsets", description = "int4/int8 at level 4: keep Q4_1/K-quant block minimums exactly"
            + " (an extra block-sum product per linear, about 1.3x slower decoding) and the head at its source bits,"
            + " instead of re-quantizing them round-to-nearest as ONNX Runtime GenAI's layout does; see"
            + " docs/quantization.md")
    boolean keepOffsets;

    @Option(names = "--overwrite", description = "replace an existing --out directory")
    boolean overwrite;

    @Override
    public Integer call() throws Exception {
        ImportDtype type = ImportDtype.parse(dtype);
        if (accuracyLevel != 0 && accuracyLevel != 1 && accuracyLevel != 4) {
            throw new BadInputException("--accuracy-level must be 0, 1 or 4, got " + accuracyLevel);
        }
        if (type == ImportDtype.INT8 && accuracyLevel != 4) {
            throw new BadInputException("--dtype int8 needs --accuracy-level 4: ONNX Runtime has no float32 kernel for"
                    + " 8-bit weights");
        }
        ProgressSink progress = ProgressSink.stderr();
        try (OutLock lock = OutLock.acquire(out, "import");
                CheckpointSource src = progress.during("reading " + from + " " + source, this::open)) {
            long total = Math.max(1, src.elementCount());
            var level = type.linears().withAccuracyLevel(accuracyLevel);
            LinearWeights linears = keepOffsets ? level.keepingOffsets() : level;
            ModelImporter.Result result;
            try (Progress bar = progress.bar("import", total / 1_000_000 + 1, "M params")) {
                result = ModelImporter.importModel(src, out, type, linears, done -> bar.stepTo(done / 1_000_000));
                bar.stepTo(total / 1_000_000 + 1);
            }
            System.out.printf("imported %s (%s, %,d parameters, %s) into %s%n", src.source(), from,
                    result.parameters(), dtype, out.toAbsolutePath());
            if (type == ImportDtype.INT4 || type == ImportDtype.INT8) {
                reportBlocks(linears);
            }
        }
        return 0;
    }

    /** Says how many linears became quantized blocks: a width that is not whole blocks keeps its weight float32. */
    private void reportBlocks(LinearWeights linears) throws java.io.IOException {
        var q = new com.fasterxml.jackson.databind.ObjectMapper().readTree(out.resolve("rlif.json").toFile())
                .path("quantized_linears");
        int four = q.path("int4").asInt(0);
        int eight = q.path("int8").asInt(0);
        System.out.printf("linear weights as MatMulNBits blocks: %d at 4 bits, %d at 8 bits (accuracy level %s)%n", four,
                eight, q.path("accuracy_level").asText("-"));
        if ("gguf".equals(from) && linears.foldsOffsets()) {
            System.out.println("layout: ONNX Runtime GenAI's (Q4_1/K-quant block minimums and an 8-bit head re-quantized"
                    + " to zero points, within half a step; --keep-offsets keeps the GGUF's values exactly)");
        }
        if (four + eight == 0) {
            System.err.println("note: no linear weight was quantized: their input widths are not multiples of 32, so"
                    + " the model is float32 throughout");
        }
    }

    /** Checks --out (under its lock) before the source is opened. */
    private CheckpointSource open() {
        OutLock.requireNewUnlessOverwrite(out, overwrite);
        return ModelImporter.open(from, source);
    }
}
