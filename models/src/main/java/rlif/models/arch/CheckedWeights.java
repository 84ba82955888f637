package rlif.models.arch;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.TreeSet;
import rlif.models.BadInputException;
import rlif.models.graph.GraphBuilder;
import rlif.models.graph.Value;
import rlif.models.quant.BlockQuantized;
import rlif.models.quant.RtnQuantizer;
import rlif.models.tensor.DType;
import rlif.models.tensor.Tensor;
import rlif.models.tensor.Tensors;

/**
 * Pulls weights out of a {@link WeightSource} for one graph: checks each shape against the config, converts
 * to the model dtype, transposes where asked, and remembers what was used so leftovers (a sign of a wrong
 * name mapping) are reported.
 */
final class CheckedWeights {
    private final WeightSource source;
    private final GraphBuilder g;
    private final DType dtype;
    private final LayerHooks hooks;
    private final LinearWeights linears;
    private final Set<String> used = new HashSet<>();

    CheckedWeights(WeightSource source, GraphBuilder g, DecoderOptions options) {
        this.source = source;
        this.g = g;
        this.dtype = options.dtype();
        this.hooks = options.hooks();
        this.linears = options.linears();
    }

    /**
     * The linear weight {@code hfName} ({@code [out, in]} in Hugging Face layout) as {@link DecoderOptions#linears}
     * asks: quantized blocks where the source has them or floats are to be quantized (and {@code in} is a whole
     * number of blocks), else a float {@code [in, out]} initializer.
     */
    LinearWeight linear(String hfName, long out, long in) {
        BlockQuantized q = blocks(hfName, out, in);
        return q != null ? blocked(hfName, q) : new LinearWeight.Dense(get(hfName, true, out, in));
    }

    /**
     * The untied language-model head {@code hfName}: {@link #linear}, except that in ONNX Runtime GenAI's layout
     * ({@link LinearWeights#foldsOffsets}) source blocks wider than {@code --dtype} are re-quantized to its bits
     * ({@link #narrowedHead}).
     */
    LinearWeight head(String hfName, long vocab, long hidden) {
        BlockQuantized q = narrowedHead(blocks(hfName, vocab, hidden));
        return q != null ? blocked(hfName, q) : new LinearWeight.Dense(get(hfName, true, vocab, hidden));
    }

    /**
     * The language-model head tied to the embedding {@code hfName}: the same blocks as {@link #linear} would make of
     * the embedding table, or the transpose of {@code embedding} (already in the graph) when linears are float.
     */
    LinearWeight tiedHead(String hfName, Value embedding, long vocab, long hidden) {
        BlockQuantized q = narrowedHead(blocks(hfName, vocab, hidden));
        return q != null ? blocked(hfName, q) : new LinearWeight.Dense(g.transpose(embedding, 1, 0));
    }

    /**
     * The head is the largest weight a decode step reads (SmolLM2's tied Q8_0 table: 28 MB of a 97 MB int4 step at
     * 8 bits). In ONNX Runtime GenAI's layout it is held at {@code --dtype}'s bits as ORT-GenAI holds it: 8-bit source
     * blocks are re-quantized round-to-nearest (within half a new step of the source's values); the other linears keep
     * their wider source blocks.
     */
    private BlockQuantized narrowedHead(BlockQuantized q) {
        int bits = linears.quantizeFloatsToBits();
        if (q == null || !linears.foldsOffsets() || bits == 0 || q.bits() <= bits
                || q.cols() % LinearWeights.BLOCK_SIZE != 0) {
            return q;
        }
        return RtnQuantizer.quantize(q.dequantize(), q.rows(), q.cols(), bits, LinearWeights.BLOCK_SIZE);
    }

    private BlockQuantized blocks(String hfName, long out, long in) {
        if (linears.dense()) {
            return null;
        }
        if (linears.keepSourceBlocks()) {
            java.util.Optional<BlockQuantized> stored = source.quantized(hfName);
            // 8-bit blocks have no float32 kernel on x86 (below level 4 ONNX Runtime dequantizes the whole weight on
            // every run), so where products are to be float32 they are stored as floats; in-graph dequantization
            // (training) has no such limit.
            boolean eightBitAllowed = linears.accuracyLevel() == LinearWeights.ACCURACY_LEVEL || linears.dequantizeInGraph();
            if (stored.isPresent()) {
                BlockQuantized q = stored.get();
                if (q.rows() != out || q.cols() != in) {
                    throw new BadInputException("tensor " + hfName + " has shape [" + q.rows() + ", " + q.cols()
                            + "] but the config implies [" + out + ", " + in + "]");
                }
                if (q.bits() == 8 && !eightBitAllowed) {
                    return null; // float32, never re-quantized to fewer bits than the source has
                }
                used.add(hfName);
                if (q.offsets() != null && linears.foldsOffsets()) {
                    return RtnQuantizer.quantize(q.dequantize(), q.rows(), q.cols(), q.bits(), q.blockSize());
                }
                return q;
            }
        }
        if (linears.quantizeFloatsToBits() == 0 || in % LinearWeights.BLOCK_SIZE != 0) {
            return null;
        }
        Tensor t = source.get(hfName);
        if (!Arrays.equals(t.shape(), new long[] {out, in})) {
            throw new BadInputException("tensor " + hfName + " has shape " + Arrays.toString(t.shape())
                    + " but the config implies " + Arrays.toString(new long[] {out, in}));
        }
        used.add(hfName);
        return RtnQuantizer.quantize(t.toFloats(), (int) out, (int) in, linears.quantizeFloatsToBits(),
                LinearWeights.BLOCK_SIZE);
    }

    /** Declares the parts of {@code q} as initializers named after {@code hfName} ({@link OnnxNames#blocked}). */
    private BlockedLinear blocked(String hfName, BlockQuantized q) {
        OnnxNames.Blocked names = OnnxNames.blocked(hfName, q.bits());
        Value codes = g.initializer(names.codes(), new Tensor(names.codes(), DType.U8,
                new long[] {q.rows(), q.blocks(), q.blockBytes()}, q.codes()));
        Value scales = g.initializer(names.scales(), Tensor.ofFloats(names.scales(), new long[] {q.rows(), q.blocks()},
                q.scales()));
        Value zeroPoints = null;
        Value unpacked = null;
        if (q.zeroPoints() != null) {
            zeroPoints = g.initializer(names.zeroPoints(), new Tensor(names.zeroPoints(), DType.U8,
                    new long[] {q.rows(), BlockQuantized.zeroPointBytes(q.blocks(), q.bits())},
                    java.nio.ByteBuffer.wrap(q.zeroPoints())));
            if (linears.dequantizeInGraph()) {
                float[] z = new float[q.rows() * q.blocks()];
                for (int r = 0; r < q.rows(); r++) {
                    for (int b = 0; b < q.blocks(); b++) {
                        z[r * q.blocks() + b] = q.zeroPoint(r, b);
                    }
                }
                unpacked = g.constant(Tensor.ofFloats("zero_points", new long[] {q.rows(), q.blocks()}, z));
            }
        }
        Value offsets = null;
        if (q.offsets() != null) {
            float[] t = new float[q.offsets().length]; // [blocks, out] for the MatMul with block sums
            for (int r = 0; r < q.rows(); r++) {
                for (int b = 0; b < q.blocks(); b++) {
                    t[b * q.rows() + r] = q.offsets()[r * q.blocks() + b];
                }
            }
            offsets = g.initializer(names.offsets(), Tensor.ofFloats(names.offsets(), new long[] {q.blocks(), q.rows()}, t));
        }
        return new BlockedLinear(q.cols(), q.rows(), q.bits(), q.blockSize(), codes, scales, zeroPoints, offsets,
                unpacked, linears.dequantizeInGraph(), linears.accuracyLevel());
    }

    /** The weight {@code hfName}, which must have {@code shape}, in the model dtype (transposed when {@code transpose}). */
    Value get(String hfName, boolean transpose, long... shape) {
        Tensor t = source.get(hfName);
        if (!Arrays.equals(t.shape(), shape)) {
            throw new BadInputException("tensor " + hfName + " has shape " + Arrays.toString(t.shape())
                    + " but the config implies " + Arrays.toString(shape));
        }
        if (t.dtype() != DType.F32 && t.dtype() != DType.F16 && t.dtype() != DType.BF16) {
            throw new BadInputException("tensor " + hfName + " is " + t.dtype() + "; weights must be F32, F16 or BF16");
        }
        used.add(hfName);
        Tensor converted = Tensors.convert(t, dtype);
        if (transpose) {
            String name = OnnxNames.transposed(hfName);
            return hooks.parameter(g, name, hfName, Tensors.transpose2d(converted, name));
        }
        return hooks.parameter(g, hfName, hfName, converted.renamed(hfName));
    }

    /** Fails when the source holds tensors no layer used, apart from known non-weight buffers. */
    void requireAllUsed(Set<String> ignorableSuffixes) {
        Set<String> left = new TreeSet<>();
        for (String n : source.names()) {
            if (!used.contains(n) && ignorableSuffixes.stream().noneMatch(n::endsWith)) {
                left.add(n);
            }
        }
        if (!left.isEmpty()) {
            throw new BadInputException("checkpoint has tensors the architecture does not use (wrong architecture or name mapping?): "
                    + left.stream().limit(8).toList() + (left.size() > 8 ? " and " + (left.size() - 8) + " more" : ""));
        }
    }
}
