package rlif.kernels;

/** The TornadoVM kernel bodies, run as plain Java on the CPU through the same host-side flow as on a device. */
class TornadoKernelBodiesTest extends SignalKernelContract {
    @Override
    SignalKernel kernel() {
        return TornadoSignalKernel.onCpu();
    }
}
