package rlif.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import rlif.models.io.OutLock;
import rlif.trainer.export.Export;

/** {@code rlif mix}: interpolate two checkpoints of one architecture. */
@Command(name = "mix", mixinStandardHelpOptions = true,
        description = "Write theta = (1 - alpha) A + alpha B for two model directories of the same architecture.")
public final class MixCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, paramLabel = "A", description = "first model directory (alpha = 0)")
    Path model;

    @Option(names = "--with", required = true, paramLabel = "B", description = "second model directory (alpha = 1)")
    Path with;

    @Option(names = "--alpha", required = true, paramLabel = "X", description = "weight of B, in [0, 1]")
    double alpha;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "model directory to write")
    Path out;

    @Option(names = "--overwrite", description = "replace an existing --out")
    boolean overwrite;

    @Override
    public Integer call() {
        try (OutLock lock = OutLock.acquire(out, "mix")) {
            OutLock.requireNewUnlessOverwrite(out, overwrite);
            Export.mix(model, with, alpha, out);
        }
        System.out.println("wrote " + (1 - alpha) + " * " + model + " + " + alpha + " * " + with + " to " + out);
        return 0;
    }
}
