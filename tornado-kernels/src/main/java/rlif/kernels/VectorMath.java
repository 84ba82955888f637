package rlif.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The lane-wise float32 primitives the vector backend is built from: {@code 2^y} on {@code [-125, 0]}, the
 * one-instruction clamp that keeps arguments in that range, and float16 to float32 conversion.
 */
final class VectorMath {
    private VectorMath() {}

    static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, F.vectorShape());
    /** Half as many bits as {@link #F}, so one load of float16 bits widens to exactly one float vector. */
    static final VectorSpecies<Short> H =
            VectorSpecies.of(short.class, VectorShape.forBitSize(F.vectorBitSize() / 2));

    /**
     * The lowest argument {@link #exp2} accepts: {@code 2^-125} is still a normal float, so the power of two can
     * be built in the exponent field. {@link #clampLow} sends everything below it there; a term of
     * {@code 2^-125} is below {@code 1e-37} of a row sum that is at least 1/2.
     */
    static final float EXP2_LOW = -125f;
    private static final int EXP2_LOW_BITS = Float.floatToRawIntBits(EXP2_LOW);

    // Round-to-nearest by adding 1.5 * 2^23: the sum lands in [2^23, 2^24) where the float spacing is 1, and the
    // low mantissa bits of the sum hold the rounded integer.
    private static final float ROUND_MAGIC = 12582912f;
    // 2^f ~ 1 + f (Q1 + f (Q2 + f (Q3 + f Q4))) on [-1/2, 1/2]: a relative-error minimax fit (Lawson's reweighted
    // least squares on 4001 points, rounded to float), 2.9e-6 worst relative error when evaluated in float. That is
    // below what the float32 sums that follow already allow (128 terms per accumulator: 128 u = 7.6e-6), and one
    // degree more (1.7e-7) costs a sixteenth of the loop's instructions.
    private static final float Q1 = 0.6931242f;
    private static final float Q2 = 0.24024099f;
    private static final float Q3 = 0.055906463f;
    private static final float Q4 = 0.009582838f;

    /**
     * {@code 2^y} lane-wise for {@code y} in {@code [EXP2_LOW, 1/2]}, within 3e-6 relative error (pinned by a
     * test). Range reduction {@code y = k + f}, {@code |f| <= 1/2}, is exact; {@code 2^k} is added to the
     * exponent field. Nine vector instructions, none of them a division or a table lookup.
     */
    static FloatVector exp2(FloatVector y) {
        FloatVector shifted = y.add(ROUND_MAGIC);
        FloatVector f = y.sub(shifted.sub(ROUND_MAGIC));
        FloatVector p = f.fma(Q4, Q3)
                .fma(f, FloatVector.broadcast(F, Q2))
                .fma(f, FloatVector.broadcast(F, Q1))
                .fma(f, FloatVector.broadcast(F, 1f));
        IntVector pow2 = shifted.reinterpretAsInts().lanewise(VectorOperators.LSHL, 23);
        return p.reinterpretAsInts().add(pow2).reinterpretAsFloats();
    }

    /**
     * Lanes below {@link #EXP2_LOW}, {@code -inf} and NaN become {@link #EXP2_LOW}, for inputs that are negative or
     * {@code -0.0}. One signed integer minimum does it: for negative floats the bit patterns order the other way
     * round, and every NaN or positive pattern is larger than {@code EXP2_LOW}'s (Java's float max/min, with
     * their NaN and signed-zero rules, take six instructions).
     */
    static FloatVector clampLow(FloatVector negative) {
        return negative.reinterpretAsInts()
                .lanewise(VectorOperators.MIN, IntVector.broadcast(I, EXP2_LOW_BITS))
                .reinterpretAsFloats();
    }

    /**
     * Widens {@code F.length()} IEEE float16 bit patterns from {@code src[offset..]} to float32 into
     * {@code dst[dstOffset..]}, exactly (every half value is a float value).
     */
    static void halfToFloat(short[] src, int offset, float[] dst, int dstOffset) {
        IntVector w = (IntVector) ShortVector.fromArray(H, src, offset).convertShape(VectorOperators.S2I, I, 0);
        IntVector magnitude = w.and(0x7fff).lanewise(VectorOperators.LSHL, 13);
        // Re-biasing the exponent from 15 to 127 is a multiply by 2^112; it also turns half subnormals into
        // the right float normals.
        IntVector finite = magnitude.reinterpretAsFloats().mul(0x1p112f).reinterpretAsInts();
        IntVector special = magnitude.or(0x7f800000); // inf and NaN: all-ones exponent, mantissa kept
        IntVector bits = finite.blend(special, w.and(0x7c00).compare(VectorOperators.EQ, 0x7c00));
        bits = bits.or(w.and(0x8000).lanewise(VectorOperators.LSHL, 16));
        bits.reinterpretAsFloats().intoArray(dst, dstOffset);
    }
}
