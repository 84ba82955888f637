package rlif.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Option;
import rlif.bench.kernels.BenchReport;
import rlif.bench.kernels.BenchResult;
import rlif.bench.kernels.ForkBreakEven;
import rlif.bench.kernels.KernelBench;
import rlif.models.io.AtomicFiles;
import rlif.models.progress.Progress;
import rlif.models.progress.ProgressSink;

/** {@code rlif bench kernels}: every signal-kernel backend against the memory-read baseline, in one table. */
@Command(
        name = "kernels",
        mixinStandardHelpOptions = true,
        description = "Time the signal kernels (scalar, vector on 1 thread and all cores, tornado when present) "
                + "and a plain vectorised read of the same buffers, for vocab 32000/49152/151936 x rows 1/16/64.")
public final class BenchKernelsCommand implements Callable<Integer> {
    @Option(names = "--quick", description = "Shorter warm-up and timing rounds (about 1 min instead of 2 to 3 on 2 cores).")
    boolean quick;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the results as JSON (DESIGN section 9).")
    Path json;

    @Spec
    CommandSpec spec;

    @Option(names = "--kernels", split = ",", paramLabel = "vector,tornado",
            description = "backends to time besides the read baseline and scalar (default: vector, and tornado when its"
                    + " runtime is there; --kernels tornado without it is an error)")
    java.util.Set<String> kernels;

    @Option(names = "--threads", paramLabel = "N",
            description = "Threads for the all-cores rows (default: available processors).")
    Integer threads;

    @Option(names = "--fork-break-even",
            description = "Instead: time the vector kernel on the calling thread alone against spreading every call over"
                    + " the threads, for vocab 32000/151936 x rows 1 to 64 (where the engine's threshold comes from).")
    boolean forkBreakEven;

    @Override
    public Integer call() {
        int allCores = threads != null ? threads : Runtime.getRuntime().availableProcessors();
        if (allCores < 1) {
            throw new ParameterException(spec.commandLine(), "--threads must be >= 1, got " + allCores);
        }
        if (forkBreakEven) {
            double load = KernelBench.loadAverage();
            List<ForkBreakEven.Cell> cells = ForkBreakEven.run(allCores, quick ? 4 : 8, quick ? 50 : 150);
            System.out.printf(java.util.Locale.ROOT, "%7s %6s %12s %16s %16s %9s%n", "vocab", "rows", "logits",
                    "caller us/call", "spread us/call", "speedup");
            for (ForkBreakEven.Cell c : cells) {
                System.out.printf(java.util.Locale.ROOT, "%7d %6d %12d %16.1f %16.1f %9.2f%n", c.vocab(), c.rows(),
                        (long) c.rows() * c.vocab(), c.callerMicros(), c.spreadMicros(), c.speedup());
            }
            System.out.printf(java.util.Locale.ROOT, "%d threads, load average %.1f before, %.1f after; the engine spreads"
                    + " calls of %d logits or more%n", allCores, load, KernelBench.loadAverage(),
                    rlif.kernels.VectorSignalKernel.DEFAULT_FORK_AT_LOGITS);
            return 0;
        }
        KernelBench.Timing timing = quick ? KernelBench.Timing.QUICK : KernelBench.Timing.FULL;
        KernelBench bench;
        try {
            bench = kernels == null ? new KernelBench(timing, allCores) : new KernelBench(timing, allCores, kernels);
        } catch (IllegalArgumentException e) {
            throw new rlif.models.BadInputException(e.getMessage(), e);
        }
        String tornadoProblem = KernelBench.tornadoProblem();
        double loadBefore = KernelBench.loadAverage();
        List<BenchResult> results;
        try (Progress bar = ProgressSink.stderr().bar("bench kernels", bench.cells(), "cells")) {
            results = bench.run(r -> {
                bar.message("last: " + r.backend() + " " + r.rows() + "x" + r.vocab());
                bar.step();
            });
        }
        BenchReport report = new BenchReport(BenchReport.describeMachine(), results);
        System.out.print(report.table());
        System.out.printf(java.util.Locale.ROOT, "load average %.1f before, %.1f after, on %d cores%s%n", loadBefore,
                KernelBench.loadAverage(), Runtime.getRuntime().availableProcessors(),
                KernelBench.loadAverage() > Runtime.getRuntime().availableProcessors()
                        ? ": other processes held the cores, so wall-clock rates are low; see the per-CPU-second rates"
                        : "");
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
