package rlif.kernels;

import uk.ac.manchester.tornado.api.ImmutableTaskGraph;
import uk.ac.manchester.tornado.api.TaskGraph;
import uk.ac.manchester.tornado.api.TornadoExecutionPlan;
import uk.ac.manchester.tornado.api.common.TornadoDevice;
import uk.ac.manchester.tornado.api.enums.DataTransferMode;
import uk.ac.manchester.tornado.api.runtime.TornadoRuntimeProvider;

/** The only class that touches TornadoVM: the task graph and execution plan for one logits shape. */
final class TornadoPlan {
    private final TornadoExecutionPlan plan;

    TornadoPlan(TornadoSignalKernel.Shape s) {
        TaskGraph graph = new TaskGraph("signals_" + s.dims[0] + "x" + s.dims[1])
                // Constant per shape: copied once, then resident.
                .transferToDevice(DataTransferMode.FIRST_EXECUTION, s.dims, s.pow2)
                .transferToDevice(DataTransferMode.EVERY_EXECUTION, s.logits, s.invTemperature)
                .task("chunks", TornadoKernelBodies::chunkPartials,
                        s.logits, s.dims, s.invTemperature, s.pow2, s.partials, s.partialArgmax)
                .task("rows", TornadoKernelBodies::combineChunks,
                        s.partials, s.partialArgmax, s.dims, s.invTemperature, s.pow2, s.rowStats, s.rowArgmax)
                // partials and partialArgmax are device-only scratch: never copied back.
                .transferToHost(DataTransferMode.EVERY_EXECUTION, s.rowStats, s.rowArgmax);
        ImmutableTaskGraph immutable = graph.snapshot();
        plan = new TornadoExecutionPlan(immutable);
    }

    void execute() {
        plan.execute();
    }

    void close() {
        try {
            plan.close();
        } catch (Exception e) {
            throw new IllegalStateException("could not release the TornadoVM execution plan", e);
        }
    }

    /** Null when TornadoVM has a backend and a default device, else what is missing. */
    static String deviceProblem() {
        var runtime = TornadoRuntimeProvider.getTornadoRuntime();
        if (runtime.getNumBackends() == 0) {
            return "TornadoVM found no backend (OpenCL, PTX or SPIR-V)";
        }
        TornadoDevice device = runtime.getDefaultDevice();
        return device == null ? "TornadoVM has no default device" : null;
    }

    /** The default device's name, for bench tables. */
    static String deviceName() {
        return TornadoRuntimeProvider.getTornadoRuntime().getDefaultDevice().getDeviceName();
    }
}
