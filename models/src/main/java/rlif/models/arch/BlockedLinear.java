package rlif.models.arch;

import java.util.List;
import java.util.Map;
import rlif.models.graph.Attr;
import rlif.models.graph.GraphBuilder;
import rlif.models.graph.Value;
import rlif.models.tensor.DType;

/**
 * A linear weight held as {@link BlockQuantized} blocks in the graph: the packed codes, the scales and, when present,
 * the packed zero points and the block offsets. {@link #times} is {@code MatMulNBits} plus, for offsets, {@code
 * blockSums(x) @ offsets} (the offsets' share of {@code x @ W^T}: every block adds {@code offset * sum of x over the
 * block}); with {@code dequantizeInGraph} it rebuilds {@code W} in float32 with standard ops and multiplies that,
 * which autodiff can differentiate.
 *
 * @param codes      uint8 {@code [out, blocks, blockSize * bits / 8]}
 * @param scales     float32 {@code [out, blocks]}
 * @param zeroPoints uint8 {@code [out, ceil(blocks * bits / 8)]}, or null for the default {@code 2^(bits-1)}
 * @param offsets    float32 {@code [blocks, out]} (transposed for the MatMul), or null
 * @param unpackedZeroPoints float32 {@code [out, blocks]}, for the in-graph dequantization only (else null)
 * @param accuracyLevel {@code MatMulNBits}' accuracy level ({@link LinearWeights#accuracyLevel})
 */
public record BlockedLinear(long in, long out, int bits, int blockSize, Value codes, Value scales, Value zeroPoints,
        Value offsets, Value unpackedZeroPoints, boolean dequantizeInGraph, int accuracyLevel) implements LinearWeight {

    @Override
    public Value times(GraphBuilder g, Value x) {
        if (dequantizeInGraph) {
            return g.matMul(x, g.transpose(dequantized(g), 1, 0));
        }
        Value y = g.matMulNBits(x, codes, scales, zeroPoints, (int) in, (int) out, bits, blockSize, accuracyLevel);
        if (offsets == null) {
            return y;
        }
        long blocks = in / blockSize;
        Value perBlock = g.reshape(x, 0, 0, blocks, blockSize);
        return g.add(y, g.matMul(g.reduceSum(perBlock, false, -1), offsets));
    }

    /** {@code W [out, in]} in float32: {@code (code - zeroPoint) * scale + offset} per block. */
    Value dequantized(GraphBuilder g) {
        long blocks = in / blockSize;
        Value c = g.cast(codes, DType.F32); // [out, blocks, bytes]
        if (bits == 4) {
            // low nibble first: byte b holds elements 2b (b mod 16) and 2b + 1 (floor(b / 16))
            Value high = floor(g, g.div(c, g.scalar(16, DType.F32)));
            Value low = g.sub(c, g.mul(high, g.scalar(16, DType.F32)));
            c = g.reshape(g.concat(-1, g.unsqueeze(low, -1), g.unsqueeze(high, -1)), out, blocks, blockSize);
        }
        Value zp = unpackedZeroPoints != null ? g.unsqueeze(unpackedZeroPoints, -1) : g.scalar(1 << (bits - 1), DType.F32);
        Value w = g.mul(g.sub(c, zp), g.unsqueeze(scales, -1));
        if (offsets != null) {
            w = g.add(w, g.unsqueeze(g.transpose(offsets, 1, 0), -1));
        }
        return g.reshape(w, out, in);
    }

    private static Value floor(GraphBuilder g, Value x) {
        return g.op("Floor", List.of(x), Map.<String, Attr>of(), List.of(new Value("floor", x.dtype(), x.shape())))
                .getFirst();
    }
}
