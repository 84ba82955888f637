package rlif.trainer.loop;

import rlif.evaluator.rollout.Device;

/**
 * Where a run computes: ONNX Runtime's intra-op threads ({@code 0} = its default) and the device, the same for
 * the rollout engine and the training graphs ({@code rlif train --threads --device}).
 */
public record Compute(int threads, Device device) {
    public Compute {
        if (threads < 0) {
            throw new rlif.models.BadInputException("--threads must be >= 0, got " + threads);
        }
    }

    /** The CPU with ONNX Runtime's default threads, or {@code threads} of them. */
    public static Compute cpu(int threads) {
        return new Compute(threads, Device.CPU);
    }
}
