package rlif.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import rlif.models.BadInputException;
import rlif.models.importer.CheckpointSource;
import rlif.models.io.OutLock;
import rlif.models.importer.ModelImporter;
import rlif.models.progress.Progress;
import rlif.models.progress.ProgressSink;
import rlif.models.tensor.DType;

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

    @Option(names = "--dtype", paramLabel = "fp32|fp16", defaultValue = "fp32",
            description = "weight type of the ONNX decoder (default: ${DEFAULT-VALUE})")
    String dtype;

    @Option(names = "--overwrite", description = "replace an existing --out directory")
    boolean overwrite;

    @Override
    public Integer call() throws Exception {
        DType type = switch (dtype) {
            case "fp32" -> DType.F32;
            case "fp16" -> DType.F16;
            default -> throw new BadInputException("--dtype " + dtype + " is not fp32 or fp16");
        };
        ProgressSink progress = ProgressSink.stderr();
        try (OutLock lock = OutLock.acquire(out, "import");
                CheckpointSource src = progress.during("reading " + from + " " + source, this::open)) {
            long total = Math.max(1, src.elementCount());
            ModelImporter.Result result;
            try (Progress bar = progress.bar("import", total / 1_000_000 + 1, "M params")) {
                result = ModelImporter.importModel(src, out, type, done -> bar.stepTo(done / 1_000_000));
                bar.stepTo(total / 1_000_000 + 1);
            }
            System.out.printf("imported %s (%s, %,d parameters, %s) into %s%n", src.source(), from,
                    result.parameters(), dtype, out.toAbsolutePath());
        }
        return 0;
    }

    /** Checks --out (under its lock) before the source is opened. */
    private CheckpointSource open() {
        OutLock.requireNewUnlessOverwrite(out, overwrite);
        return ModelImporter.open(from, source);
    }
}
