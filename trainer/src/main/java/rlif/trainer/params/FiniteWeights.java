package rlif.trainer.params;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import rlif.models.BadInputException;
import rlif.models.arch.WeightSource;
import rlif.models.tensor.Tensor;

/**
 * Refuses starting weights that hold NaN or infinity: every forward pass through them would be non-finite, so
 * every training step would be skipped and the run would end having learned nothing. Checked before anything is
 * written; quantized tensors (not float) are left to their own readers.
 */
public final class FiniteWeights {
    private FiniteWeights() {}

    /** Throws naming the first tensor of {@code weights} with a non-finite value, and how many it has. */
    public static void require(WeightSource weights, String where) {
        for (String name : weights.names()) {
            Tensor t = weights.get(name);
            long bad = nonFinite(t);
            if (bad > 0) {
                throw new BadInputException(where + ": weight " + name + " has " + bad + " non-finite value"
                        + (bad == 1 ? "" : "s") + " (NaN or infinity); training cannot start from it");
            }
        }
    }

    /** The number of NaN or infinite elements of a float tensor (0 for other types). */
    static long nonFinite(Tensor t) {
        ByteBuffer d = t.data().duplicate().order(ByteOrder.LITTLE_ENDIAN);
        long n = t.elementCount();
        long bad = 0;
        switch (t.dtype()) {
            case F32 -> {
                for (long i = 0; i < n; i++) {
                    bad += Float.isFinite(d.getFloat((int) (4 * i))) ? 0 : 1;
                }
            }
            case F16 -> {
                for (long i = 0; i < n; i++) {
                    // exponent bits all ones: infinity or NaN
                    bad += (d.getShort((int) (2 * i)) & 0x7c00) == 0x7c00 ? 1 : 0;
                }
            }
            case BF16 -> {
                for (long i = 0; i < n; i++) {
                    bad += (d.getShort((int) (2 * i)) & 0x7f80) == 0x7f80 ? 1 : 0;
                }
            }
            default -> { }
        }
        return bad;
    }
}
