package rlif.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import rlif.kernels.bench.BenchReport;
import rlif.kernels.bench.BenchResult;
import rlif.kernels.bench.KernelBench;
import rlif.models.io.AtomicFiles;

/** {@code rlif bench kernels}: every signal-kernel backend against the memory-read baseline, in one table. */
@Command(
        name = "kernels",
        mixinStandardHelpOptions = true,
        description = "Time the signal kernels (scalar, vector on 1 thread and all cores, tornado when present) "
                + "and a plain vectorised read of the same buffers, for vocab 32000/49152/151936 x rows 1/16/64.")
public final class BenchKernelsCommand implements Callable<Integer> {
    @Option(names = "--quick", description = "Shorter warm-up and timing rounds (about 30 s instead of 2 min).")
    boolean quick;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the results as JSON (DESIGN section 9).")
    Path json;

    @Option(names = "--threads", paramLabel = "N",
            description = "Threads for the all-cores rows (default: available processors).")
    Integer threads;

    @Override
    public Integer call() {
        int allCores = threads != null ? threads : Runtime.getRuntime().availableProcessors();
        if (allCores < 1) {
            throw new picocli.CommandLine.ParameterException(
                    new picocli.CommandLine(this), "--threads must be >= 1, got " + allCores);
        }
        KernelBench bench = new KernelBench(quick ? KernelBench.Timing.QUICK : KernelBench.Timing.FULL, allCores);
        String tornadoProblem = KernelBench.tornadoProblem();
        List<BenchResult> results;
        try (ProgressBar bar = new ProgressBarBuilder()
                .setTaskName("bench kernels")
                .setInitialMax(bench.cells())
                .setStyle(ProgressBarStyle.ASCII)
                .setConsumer(new me.tongfei.progressbar.ConsoleProgressBarConsumer(System.err))
                .showSpeed()
                .build()) {
            results = bench.run(r -> {
                bar.setExtraMessage(r.backend() + " " + r.rows() + "x" + r.vocab());
                bar.step();
            });
        }
        BenchReport report = new BenchReport(BenchReport.describeMachine(), results);
        System.out.print(report.table());
        if (tornadoProblem != null) {
            System.out.println("tornado: not measured, " + tornadoProblem);
        }
        report.targets(allCores).forEach(System.out::println);
        if (json != null) {
            AtomicFiles.writeString(json, report.json());
            System.out.println("wrote " + json);
        }
        return 0;
    }
}
