package rlif.kernels;

/** The vector backend on three threads, spreading every call: with two rows each row is split into column spans merged afterwards. */
class VectorSignalKernelThreadsTest extends SignalKernelContract {
    @Override
    SignalKernel kernel() {
        return new VectorSignalKernel(3, 0);
    }
}
