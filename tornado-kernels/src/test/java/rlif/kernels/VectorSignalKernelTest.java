package rlif.kernels;

/** The vector backend on one thread: whole rows, chunked, every block on the caller's thread. */
class VectorSignalKernelTest extends SignalKernelContract {
    @Override
    SignalKernel kernel() {
        return new VectorSignalKernel(1);
    }
}
