package rlif.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import rlif.models.BadInputException;
import rlif.models.gguf.GgmlType;
import rlif.models.io.OutLock;
import rlif.models.tensor.DType;
import rlif.trainer.export.Export;

/**
 * {@code rlif export}: a model directory or training checkpoint, optionally with a PEFT adapter merged in, written
 * back out as this project's model directory, a Hugging Face folder or a GGUF file.
 */
@Command(name = "export", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Write a model directory (a training checkpoint is one) as a Hugging Face folder (--format hf),",
            "a GGUF file (--format gguf) or, with --adapter, a merged rlif model directory (--format onnx).",
            "An adapter (LoRA, rsLoRA, DoRA, rank/alpha patterns; PEFT's adapter_config.json + adapter_model.safetensors)",
            "is merged into the weights first."})
public final class ExportCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, paramLabel = "DIR", description = "rlif model directory or training checkpoint")
    Path model;

    @Option(names = "--adapter", paramLabel = "DIR", description = "PEFT adapter directory to merge in (e.g. a LoRA checkpoint)")
    Path adapter;

    @Option(names = "--format", paramLabel = "onnx|hf|gguf", defaultValue = "onnx",
            description = "what to write (default: ${DEFAULT-VALUE}, which needs --adapter)")
    String format;

    @Option(names = "--dtype", paramLabel = "TYPE",
            description = "weight type: fp32|fp16|bf16 for hf (default fp32), f32|f16|q8_0 for gguf (default f16)")
    String dtype;

    @Option(names = "--max-shard-size", paramLabel = "BYTES", defaultValue = "5000000000",
            description = "hf: split model.safetensors into shards of at most this many bytes (default: ${DEFAULT-VALUE})")
    long maxShardBytes;

    @Option(names = "--out", required = true, paramLabel = "PATH", description = "directory (onnx, hf) or file (gguf) to write")
    Path out;

    @Option(names = "--overwrite", description = "replace an existing --out")
    boolean overwrite;

    @Override
    public Integer call() {
        Export.Format f = switch (format) {
            case "onnx" -> Export.Format.ONNX;
            case "hf" -> Export.Format.HF;
            case "gguf" -> Export.Format.GGUF;
            default -> throw new BadInputException("--format " + format + " is not onnx, hf or gguf");
        };
        if (maxShardBytes < 1) {
            throw new BadInputException("--max-shard-size must be positive, got " + maxShardBytes);
        }
        DType hfType = DType.F32;
        GgmlType ggufType = GgmlType.F16;
        if (dtype != null) {
            switch (f) {
                case HF -> hfType = switch (dtype) {
                    case "fp32" -> DType.F32;
                    case "fp16" -> DType.F16;
                    case "bf16" -> DType.BF16;
                    default -> throw new BadInputException("--dtype " + dtype + " is not fp32, fp16 or bf16 (--format hf)");
                };
                case GGUF -> ggufType = switch (dtype) {
                    case "f32" -> GgmlType.F32;
                    case "f16" -> GgmlType.F16;
                    case "q8_0" -> GgmlType.Q8_0;
                    default -> throw new BadInputException("--dtype " + dtype + " is not f32, f16 or q8_0 (--format gguf)");
                };
                default -> throw new BadInputException("--dtype applies to --format hf and gguf; --format onnx writes float32");
            }
        }
        try (OutLock lock = OutLock.acquire(out, "export")) {
            OutLock.requireNewUnlessOverwrite(out, overwrite);
            Export.export(model, adapter, f, out, hfType, ggufType, maxShardBytes);
        }
        System.out.println("wrote " + (f == Export.Format.GGUF ? "GGUF file " : f == Export.Format.HF
                ? "Hugging Face folder " : "merged model and adapter to ") + out);
        return 0;
    }
}
