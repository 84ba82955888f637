package rlif.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code rlif bench}: the benchmark commands, one subcommand per thing measured. */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        description = "Measure kernels, rollouts and training throughput.",
        subcommands = {BenchKernelsCommand.class, BenchRolloutCommand.class, BenchTrainCommand.class})
public final class BenchCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "bench needs a subcommand: kernels, rollout or train");
    }
}
