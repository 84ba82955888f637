package rlif.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The lane-wise float32 primitives the vector backend is built from: exp on {@code [-87, 0]}, max and clamp
 * without Java's NaN/-0.0 fix-ups, and float16 to float32 conversion.
 */
final class VectorMath {
    private VectorMath() {}

    static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, F.vectorShape());
    /** Half as many bits as {@link #F}, so one load of float16 bits widens to exactly one float vector. */
    static final VectorSpecies<Short> H =
            VectorSpecies.of(short.class, VectorShape.forBitSize(F.vectorBitSize() / 2));

    /**
     * The lowest argument {@link #exp} accepts: {@code exp(-87)} is still a normal float, so {@code 2^n} can be
     * built in the exponent field. Callers clamp below it; what they lose is below {@code 1e-37} of the row sum.
     */
    static final float EXP_LOW = -87f;

    // Round-to-nearest by adding 1.5 * 2^23: the sum lands in [2^23, 2^24) where the float spacing is 1.
    private static final float ROUND_MAGIC = 12582912f;
    private static final float LOG2E = 1.44269504088896341f;
    // ln 2 split so that n * LN2_HI is exact for the n in range (Cody-Waite reduction).
    private static final float LN2_HI = 0.693359375f;
    private static final float LN2_LO = -2.12194440e-4f;
    // Minimax coefficients of (exp(r) - 1 - r) / r^2 on [-ln2/2, ln2/2] (the Cephes expf polynomial).
    private static final float P0 = 1.9875691500e-4f;
    private static final float P1 = 1.3981999507e-3f;
    private static final float P2 = 8.3334519073e-3f;
    private static final float P3 = 4.1665795894e-2f;
    private static final float P4 = 1.6666665459e-1f;
    private static final float P5 = 5.0000001201e-1f;

    /**
     * {@code exp(x)} lane-wise for {@code x} in {@code [EXP_LOW, 0]} (within 2 ulp of the correctly rounded
     * value, pinned by a test). Out-of-range lanes are the caller's job: see {@link #clampLow}.
     */
    static FloatVector exp(FloatVector x) {
        FloatVector shifted = x.fma(LOG2E, ROUND_MAGIC);
        IntVector n = shifted.reinterpretAsInts(); // low mantissa bits hold n (the magic's bits shift out below)
        FloatVector k = shifted.sub(ROUND_MAGIC);
        FloatVector r = k.fma(FloatVector.broadcast(F, -LN2_HI), x);
        r = k.fma(FloatVector.broadcast(F, -LN2_LO), r);
        FloatVector r2 = r.mul(r);
        FloatVector p = r.fma(P0, P1);
        p = p.fma(r, FloatVector.broadcast(F, P2));
        p = p.fma(r, FloatVector.broadcast(F, P3));
        p = p.fma(r, FloatVector.broadcast(F, P4));
        p = p.fma(r, FloatVector.broadcast(F, P5));
        p = p.fma(r2, r).add(1f);
        // Multiply by 2^n by adding n to the exponent field.
        IntVector pow2 = n.lanewise(VectorOperators.LSHL, 23);
        return p.reinterpretAsInts().add(pow2).reinterpretAsFloats();
    }

    /** Lanes below {@link #EXP_LOW} (including -inf) become {@link #EXP_LOW}; NaN-free inputs assumed. */
    static FloatVector clampLow(FloatVector x) {
        return x.blend(EXP_LOW, x.compare(VectorOperators.LT, EXP_LOW));
    }

    /** Lane-wise max for NaN-free input: one compare and one blend instead of Java's NaN-aware max. */
    static FloatVector max(FloatVector a, FloatVector b) {
        return a.blend(b, a.compare(VectorOperators.LT, b));
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
