package rlif.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import rlif.models.io.OutLock;
import rlif.trainer.demo.Demo;
import rlif.trainer.demo.DemoPlan;
import rlif.trainer.demo.DemoResult;
import rlif.trainer.demo.SummaryTable;

/** {@code rlif demo}: the paper's experiment in miniature on the project's own arith models. */
@Command(name = "demo", mixinStandardHelpOptions = true, sortOptions = false,
        header = "Run the paper's experiment in miniature on the bundled arith models (report.html, demo.json).",
        description = "The paper's experiment in miniature: score models/arith-base and models/arith-instruct,"
                + " train each with GRPO on self-certainty, token entropy and the verifiable reward (held-out accuracy"
                + " every few steps), score base/instruct weight mixes, and write report.html and demo.json to --out."
                + " Progress on stderr, summary on stdout.")
public final class DemoCommand implements Callable<Integer> {
    @Option(names = "--quick", description = "shorter runs and a smaller held-out set (a few minutes)")
    boolean quick;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "demo-out", description = "output directory (default: ${DEFAULT-VALUE})")
    Path out;

    @Option(names = "--base", paramLabel = "DIR", description = "base model (default: models/arith-base of this checkout)")
    Path base;

    @Option(names = "--instruct", paramLabel = "DIR", description = "instruct model (default: models/arith-instruct of this checkout)")
    Path instruct;

    @Option(names = "--threads", defaultValue = "0", description = "ONNX Runtime intra-op threads of the training runs (0 = its default)")
    int threads;

    @Override
    public Integer call() {
        long t0 = System.nanoTime();
        Demo demo = new Demo(base != null ? base : committed("arith-base"),
                instruct != null ? instruct : committed("arith-instruct"), out,
                quick ? DemoPlan.quick() : DemoPlan.full(), threads, System.err);
        DemoResult result;
        try (OutLock lock = OutLock.acquire(out, "demo")) {
            result = demo.run();
        }
        System.out.print(SummaryTable.render(result));
        System.out.printf(java.util.Locale.ROOT, "%nwrote %s and %s in %.0f s%n", demo.out().resolve("report.html"),
                demo.out().resolve("demo.json"), (System.nanoTime() - t0) / 1e9);
        return 0;
    }

    /** The committed model of this checkout: bin/rlif sets rlif.home to the repository root. */
    private static Path committed(String name) {
        return Path.of(System.getProperty("rlif.home", ".")).resolve("models").resolve(name);
    }
}
