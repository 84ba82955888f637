package rlif.kernels;

/** The argument checks every backend makes before touching a row, so all fail the same way on bad calls. */
final class KernelArgs {
    private KernelArgs() {}

    static void check(LogitRows logits, double temperature, int[] chosen, SignalBatch out) {
        if (!(temperature > 0) || Double.isInfinite(temperature)) {
            throw new IllegalArgumentException("temperature must be finite and > 0, got " + temperature);
        }
        int rows = logits.rows();
        if (out.capacity() < rows) {
            throw new IllegalArgumentException(
                    "signal batch holds " + out.capacity() + " rows but the logits have " + rows);
        }
        if (chosen != null) {
            if (chosen.length < rows) {
                throw new IllegalArgumentException(
                        "chosen token ids: " + chosen.length + " for " + rows + " rows");
            }
            for (int r = 0; r < rows; r++) {
                if (chosen[r] < 0 || chosen[r] >= logits.vocab()) {
                    throw new IllegalArgumentException("chosen token id " + chosen[r] + " of row " + r
                            + " is outside the vocabulary [0, " + logits.vocab() + ")");
                }
            }
        }
    }
}
