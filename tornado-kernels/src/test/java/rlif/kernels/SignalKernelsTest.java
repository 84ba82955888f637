package rlif.kernels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SignalKernelsTest {
    @Test
    void namesAreTheCliContract() {
        assertThat(SignalKernels.NAMES).containsExactly("auto", "scalar", "vector", "tornado");
    }

    @Test
    void autoIsVectorWithoutTheTornadoRuntime() {
        assertThat(System.getProperty(TornadoSignalKernel.RUNTIME_PROPERTY)).isNull();
        try (SignalKernel kernel = SignalKernels.create("auto")) {
            assertThat(kernel).isInstanceOf(VectorSignalKernel.class);
        }
    }

    @Test
    void tornadoWithoutTheRuntimeIsAClearErrorNotAFallback() {
        assertThatThrownBy(() -> SignalKernels.create("tornado"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--kernels tornado is unavailable")
                .hasMessageContaining("TornadoVM runtime is not loaded");
    }

    @Test
    void unknownNamesListTheKnownOnes() {
        assertThatThrownBy(() -> SignalKernels.create("cuda"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("auto, scalar, vector, tornado");
    }

    @Test
    void vectorTakesItsThreadCount() {
        try (SignalKernel kernel = SignalKernels.create("vector", 1)) {
            assertThat(((VectorSignalKernel) kernel).threads()).isEqualTo(1);
        }
    }
}
