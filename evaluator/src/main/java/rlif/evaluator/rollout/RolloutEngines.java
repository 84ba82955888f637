package rlif.evaluator.rollout;

import rlif.kernels.SignalKernel;
import rlif.kernels.SignalKernels;
import rlif.models.BadInputException;
import rlif.models.dir.ModelDirectory;

/**
 * Opens the rollout engine {@code --engine} asks for; on a decoder that is exact only for unpadded rows, one that
 * batches only prompts of equal length together ({@link EqualLengthRolloutEngine}).
 */
public final class RolloutEngines {
    private RolloutEngines() {}

    /**
     * The engine {@code kind} resolves to on {@code options.device()}; {@code kernels} names the signal kernel
     * backend of the step engine (the generation graph reduces its signals inside the graph and needs none).
     */
    public static RolloutEngine open(ModelDirectory model, EngineKind kind, EngineOptions options, String kernels) {
        RolloutEngine engine = openExact(model, kind, options, kernels);
        return model.onnx().rowsNeedEqualLengths() ? new EqualLengthRolloutEngine(engine) : engine;
    }

    private static RolloutEngine openExact(ModelDirectory model, EngineKind kind, EngineOptions options, String kernels) {
        if (kind.resolve(options.device()) == EngineKind.GRAPH) {
            return new GraphRolloutEngine(model, options);
        }
        SignalKernel kernel;
        try {
            kernel = SignalKernels.create(kernels);
        } catch (IllegalArgumentException | IllegalStateException | UnsupportedOperationException e) {
            String why = String.valueOf(e.getMessage());
            throw new BadInputException(why.contains("--kernels") ? why : "--kernels " + kernels + ": " + why, e);
        }
        try {
            return new OnnxRolloutEngine(model, options, kernel);
        } catch (RuntimeException e) {
            kernel.close();
            throw e;
        }
    }
}
