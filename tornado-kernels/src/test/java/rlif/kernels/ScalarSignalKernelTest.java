package rlif.kernels;

/** The scalar reference backend against the independent two-pass reference. */
class ScalarSignalKernelTest extends SignalKernelContract {
    @Override
    SignalKernel kernel() {
        return new ScalarSignalKernel();
    }
}
