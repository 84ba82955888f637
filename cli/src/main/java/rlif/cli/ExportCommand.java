package rlif.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import rlif.trainer.export.Export;

/** {@code rlif export}: merge a PEFT LoRA adapter into its base model, writing a model directory. */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = "Merge a LoRA adapter (adapter_config.json + adapter_model.safetensors) into its base: W + (alpha/r) B A.")
public final class ExportCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, paramLabel = "BASE", description = "base model directory")
    Path model;

    @Option(names = "--adapter", required = true, paramLabel = "DIR", description = "adapter directory (e.g. a LoRA checkpoint)")
    Path adapter;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "merged model directory to write")
    Path out;

    @Override
    public Integer call() {
        Export.mergeAdapter(model, adapter, out);
        System.out.println("wrote merged model and adapter to " + out);
        return 0;
    }
}
