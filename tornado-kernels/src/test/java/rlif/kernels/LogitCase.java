package rlif.kernels;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.ShortBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * One generated property-test case: a few rows of logits of one value regime, at one temperature, handed to
 * the kernel in one storage form. Generation is seeded from the case's name, so every run sees the same rows.
 */
record LogitCase(int vocab, Regime regime, double temperature, Form form, float[][] rows, int[] chosen) {

    static final int[] VOCABS = {1, 2, 7, 32000, 49152, 151936};
    static final double[] TEMPERATURES = {0.3, 1, 2};
    static final int ROWS = 2;

    /** How the values of a row are drawn. */
    enum Regime {
        NEAR_ZERO, // N(0, 1e-3): a nearly uniform distribution
        TYPICAL, // N(0, 3): what language models emit
        PLUS_MINUS_30, // uniform in [-30, 30]
        PLUS_MINUS_1E4, // uniform in [-1e4, 1e4]: exp underflows for all but the top entries
        MASKED, // N(0, 3) with about a third of the entries -inf, never all of them
        ALL_EQUAL // one constant: entropy log V, self-certainty 0
    }

    /** The storage the kernel reads. */
    enum Form {
        F32_ARRAY, // a Java float[] with the block at a non-zero offset
        F32_DIRECT, // an off-heap FloatBuffer, as ONNX Runtime outputs arrive
        F16_DIRECT // off-heap float16 bits
    }

    static List<LogitCase> all() {
        List<LogitCase> cases = new ArrayList<>();
        for (int vocab : VOCABS) {
            for (Regime regime : Regime.values()) {
                for (double temperature : TEMPERATURES) {
                    for (Form form : Form.values()) {
                        cases.add(generate(vocab, regime, temperature, form));
                    }
                }
            }
        }
        return cases;
    }

    static LogitCase generate(int vocab, Regime regime, double temperature, Form form) {
        Random random = new Random(("" + vocab + regime + temperature + form).hashCode());
        float[][] rows = new float[ROWS][vocab];
        int[] chosen = new int[ROWS];
        for (int r = 0; r < ROWS; r++) {
            float constant = (float) (random.nextGaussian() * 10);
            for (int j = 0; j < vocab; j++) {
                float x = switch (regime) {
                    case NEAR_ZERO -> (float) (random.nextGaussian() * 1e-3);
                    case TYPICAL -> (float) (random.nextGaussian() * 3);
                    case PLUS_MINUS_30 -> (float) (random.nextDouble(-30, 30));
                    case PLUS_MINUS_1E4 -> (float) (random.nextDouble(-1e4, 1e4));
                    case MASKED -> random.nextInt(3) == 0 ? Float.NEGATIVE_INFINITY : (float) (random.nextGaussian() * 3);
                    case ALL_EQUAL -> constant;
                };
                rows[r][j] = x;
            }
            if (regime == Regime.MASKED) {
                rows[r][random.nextInt(vocab)] = (float) (random.nextGaussian() * 3);
            }
            if (form == Form.F16_DIRECT) {
                // float16 rows are generated in float16, so reference and kernel see the same numbers.
                for (int j = 0; j < vocab; j++) {
                    rows[r][j] = Float.float16ToFloat(Float.floatToFloat16(rows[r][j]));
                }
            }
            do {
                chosen[r] = random.nextInt(vocab);
            } while (rows[r][chosen[r]] == Float.NEGATIVE_INFINITY);
        }
        return new LogitCase(vocab, regime, temperature, form, rows, chosen);
    }

    LogitRows logits() {
        int n = ROWS * vocab;
        return switch (form) {
            case F32_ARRAY -> {
                int offset = 5;
                float[] data = new float[offset + n + 3];
                for (int r = 0; r < ROWS; r++) {
                    System.arraycopy(rows[r], 0, data, offset + r * vocab, vocab);
                }
                yield new LogitRows.F32Array(data, offset, ROWS, vocab);
            }
            case F32_DIRECT -> {
                FloatBuffer data = ByteBuffer.allocateDirect(4 * n).order(ByteOrder.nativeOrder()).asFloatBuffer();
                for (float[] row : rows) {
                    data.put(row);
                }
                yield LogitRows.of(data, ROWS, vocab);
            }
            case F16_DIRECT -> {
                ShortBuffer data = ByteBuffer.allocateDirect(2 * n).order(ByteOrder.nativeOrder()).asShortBuffer();
                for (float[] row : rows) {
                    for (float x : row) {
                        data.put(Float.floatToFloat16(x));
                    }
                }
                yield LogitRows.ofHalf(data, ROWS, vocab);
            }
        };
    }

    @Override
    public String toString() {
        return "V=" + vocab + " " + regime + " T=" + temperature + " " + form;
    }
}
