package rlif.models.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Conversions and transposes used when weights are laid out for the graph. */
class TensorsTest {
    @Test
    void bfloat16RoundsToNearestEven() {
        // 1 + 2^-8 lies halfway between bfloat16 neighbours 1 and 1 + 2^-7: ties go to the even mantissa (1)
        assertThat(Tensors.toBf16(1.00390625f)).isEqualTo((short) 0x3f80);
        // 1 + 3 * 2^-8 lies halfway between 1 + 2^-7 (odd) and 1 + 2^-6 (even): rounds up
        assertThat(Tensors.toBf16(1.01171875f)).isEqualTo((short) 0x3f82);
        assertThat(Tensors.toBf16(-2.5f)).isEqualTo((short) 0xc020);
        Tensor t = Tensors.ofFloats("b", new long[] {3}, new float[] {1.5f, -0.25f, 96f}, DType.BF16);
        assertThat(t.toFloats()).containsExactly(1.5f, -0.25f, 96f);
    }

    @Test
    void transposeMovesEveryElementForTwoAndFourByteTypes() {
        float[] v = {1, 2, 3, 4, 5, 6}; // [[1,2,3],[4,5,6]]
        for (DType d : new DType[] {DType.F32, DType.F16}) {
            Tensor t = Tensors.transpose2d(Tensors.ofFloats("w", new long[] {2, 3}, v, d), "w.T");
            assertThat(t.shape()).containsExactly(3, 2);
            assertThat(t.name()).isEqualTo("w.T");
            assertThat(t.toFloats()).containsExactly(1, 4, 2, 5, 3, 6);
        }
        // a matrix larger than one 64x64 tile, odd sizes
        int rows = 67, cols = 130;
        float[] big = new float[rows * cols];
        for (int i = 0; i < big.length; i++) {
            big[i] = i;
        }
        Tensor t = Tensors.transpose2d(Tensor.ofFloats("m", new long[] {rows, cols}, big), "m.T");
        float[] back = t.toFloats();
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                assertThat(back[c * rows + r]).isEqualTo(big[r * cols + c]);
            }
        }
    }

    @Test
    void convertIsExactForRepresentableValuesAndIdentityForSameType() {
        Tensor f32 = Tensor.ofFloats("x", new long[] {4}, new float[] {0.5f, -3f, 1024f, 0.000061035156f});
        Tensor f16 = Tensors.convert(f32, DType.F16);
        assertThat(f16.dtype()).isEqualTo(DType.F16);
        assertThat(Tensors.convert(f16, DType.F32).toFloats()).containsExactly(f32.toFloats());
        assertThat(Tensors.convert(f32, DType.F32)).isSameAs(f32);
        assertThat(Tensors.getDouble(Tensors.scalar(0.1, DType.F64), 0)).isEqualTo(0.1);
    }
}
