package rlif.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import rlif.demo.Arm;
import rlif.demo.Demo;
import rlif.demo.DemoPlan;
import rlif.demo.DemoResult;
import rlif.demo.SummaryTable;
import rlif.models.BadInputException;
import rlif.models.io.OutLock;

/** {@code rlif demo}: the paper's experiment on the project's word-level model organism. */
@Command(name = "demo", mixinStandardHelpOptions = true, sortOptions = false,
        header = "Run the paper's experiment on the bundled model organism (report.html, demo.json).",
        description = "The paper's experiment on the word-level model organism (models/word-base, models/word-instruct;"
                + " docs/results.md): score both models on held-out word problems, measure each internal signal's"
                + " validity as a reward, score base/instruct weight mixes, and train each model with GRPO in every arm"
                + " (self-certainty, token entropy, the verifiable reward, shuffled and sign-flipped controls) and"
                + " seed (a KL-penalised self-certainty arm too), gating each run on whether its reward rose and scoring its checkpoints on the held-out"
                + " problems; write report.html and demo.json to --out. The full demo took 42 minutes on 2 idle cores"
                + " (docs/cli.md#demo); --quick takes about half a minute and is too small to conclude anything; --steps, --seeds,"
                + " --held-out, --samples and --arms shrink the full plan to what a machine can finish, and a plan"
                + " below 512 x 4 held-out, 3 seeds or 100 steps says it is too small to conclude. Progress on"
                + " stderr, summary on stdout.")
public final class DemoCommand implements Callable<Integer> {
    @Option(names = "--quick", description = "a smoke test: one seed, short runs, a small held-out set (minutes)")
    boolean quick;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "demo-out", description = "output directory; a re-run"
            + " with the same plan resumes (default: ${DEFAULT-VALUE})")
    Path out;

    @Option(names = "--base", paramLabel = "DIR", description = "base model (default: models/word-base of this checkout)")
    Path base;

    @Option(names = "--instruct", paramLabel = "DIR", description = "instruct model (default: models/word-instruct of this checkout)")
    Path instruct;

    @Option(names = "--threads", defaultValue = "0", description = "ONNX Runtime intra-op threads of the training runs (0 = its default)")
    int threads;

    @Option(names = "--steps", paramLabel = "N", description = "GRPO steps per run (default: 100; --quick 10)")
    Integer steps;

    @Option(names = "--eval-every", paramLabel = "N", description = "held-out evaluation every N steps (default: 25; --quick 5)")
    Integer evalEvery;

    @Option(names = "--seeds", paramLabel = "N", description = "seeds 1..N per arm and model (default: 3; --quick 1)")
    Integer seeds;

    @Option(names = "--held-out", paramLabel = "N", description = "held-out problems (default: 512; --quick 64)")
    Integer heldOut;

    @Option(names = "--samples", paramLabel = "N", description = "samples per held-out problem (default: 4; --quick 2)")
    Integer samples;

    @Option(names = "--arms", paramLabel = "ARM", split = ",", description = "arms to run, of self_certainty,"
            + " token_entropy, verifiable, shuffled, sign-flipped, kl (default: all; --quick the first three of"
            + " self_certainty, verifiable, shuffled)")
    List<String> arms;

    @Option(names = "--learning-rate", paramLabel = "LR", description = "GRPO learning rate (default: 1e-4, from the"
            + " sweep in docs/results.md)")
    Double learningRate;

    @Override
    public Integer call() {
        long t0 = System.nanoTime();
        List<Arm> armList = null;
        if (arms != null) {
            armList = new ArrayList<>();
            for (String a : arms) {
                Arm arm = Arm.named(a.trim());
                if (arm == null) {
                    throw new BadInputException("--arms: unknown arm '" + a + "' (known: "
                            + Arm.all().stream().map(Arm::name).toList() + ")");
                }
                armList.add(arm);
            }
        }
        DemoPlan plan = (quick ? DemoPlan.quick() : DemoPlan.full())
                .resized(steps, evalEvery, seeds, heldOut, samples, armList, learningRate);
        Demo demo = new Demo(base != null ? base : committed("word-base"),
                instruct != null ? instruct : committed("word-instruct"), out, plan, threads, System.err);
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
