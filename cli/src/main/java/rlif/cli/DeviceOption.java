package rlif.cli;

import picocli.CommandLine.Option;
import rlif.evaluator.rollout.Device;

/** {@code --device cpu|cuda}, shared by every command that runs ONNX Runtime sessions. */
public final class DeviceOption {
    @Option(names = "--device", paramLabel = "cpu|cuda", defaultValue = "cpu",
            description = "ONNX Runtime device; cuda needs the CUDA build: RLIF_CUDA=1 bin/rlif (docs/gpu.md) (default: ${DEFAULT-VALUE})")
    String device;

    /** The parsed device; anything but cpu or cuda is bad input. */
    Device device() {
        return Device.parse(device);
    }

    /** As given, for settings that record it. */
    String name() {
        return device;
    }
}
