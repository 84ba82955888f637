package rlif.models.arch;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import rlif.models.BadInputException;
import rlif.models.graph.GraphBuilder;
import rlif.models.onnx.OnnxModel;
import rlif.models.quant.BlockQuantized;
import rlif.models.tensor.DType;
import rlif.models.tensor.Tensor;
import rlif.models.tensor.Tensors;

/**
 * The weights of a decoder this project wrote, back under their Hugging Face names and layouts
 * ({@code .T} initializers transposed back; builder constants skipped; quantized linears reassembled from their
 * parts, dequantized by {@link #get} and kept by {@link #quantized}). Used to rebuild, mix or export a
 * model directory; tensors stay memory-mapped.
 */
public final class OnnxWeightSource implements WeightSource {
    private final Map<String, Tensor> stored = new LinkedHashMap<>();
    /** Parts of quantized weights ({@link OnnxNames#blocked}) by Hugging Face name, then by initializer name. */
    private final Map<String, Map<String, Tensor>> blockParts = new LinkedHashMap<>();
    private final Map<String, BlockQuantized> blocks = new LinkedHashMap<>();
    private final String where;

    private OnnxWeightSource(Path modelFile) {
        this.where = modelFile.toString();
        try (OnnxModel m = OnnxModel.read(modelFile)) {
            for (var p : m.proto().getGraph().getInitializerList()) {
                if (GraphBuilder.CONSTANT_DOC.equals(p.getDocString())) {
                    continue;
                }
                Tensor t = m.tensor(p);
                String hf = OnnxNames.hfName(p.getName());
                if (OnnxNames.BLOCK_PARTS.stream().anyMatch(p.getName()::endsWith)) {
                    blockParts.computeIfAbsent(hf, k -> new LinkedHashMap<>()).put(p.getName(), t);
                } else if (stored.put(hf, t) != null) {
                    throw new BadInputException(where + ": weight " + hf + " is stored twice");
                }
            }
        }
        blockParts.forEach((hf, parts) -> blocks.put(hf, assemble(hf, parts)));
    }

    /** A quantized weight from its initializers, checked against each other. */
    private BlockQuantized assemble(String hf, Map<String, Tensor> parts) {
        int bits = parts.containsKey(hf + ".q4") ? 4 : parts.containsKey(hf + ".q8") ? 8 : 0;
        OnnxNames.Blocked names = OnnxNames.blocked(hf, bits == 0 ? 4 : bits);
        Tensor codes = parts.get(names.codes());
        Tensor scales = parts.get(names.scales());
        if (bits == 0 || codes == null || scales == null || codes.dtype() != DType.U8 || codes.shape().length != 3
                || scales.dtype() != DType.F32) {
            throw new BadInputException(where + ": quantized weight " + hf + " needs uint8 codes " + hf + ".q4 or "
                    + hf + ".q8 [out, blocks, bytes] and float32 " + hf + ".scales");
        }
        long[] c = codes.shape();
        int rows = Math.toIntExact(c[0]);
        int blockSize = Math.toIntExact(c[2] * 8 / bits);
        int cols = Math.toIntExact(c[1] * blockSize);
        Tensor zp = parts.get(names.zeroPoints());
        Tensor off = parts.get(names.offsets());
        byte[] zeroPoints = null;
        if (zp != null) {
            zeroPoints = new byte[zp.data().remaining()];
            zp.data().duplicate().get(zeroPoints);
        }
        float[] offsets = null;
        if (off != null) {
            float[] t = off.toFloats(); // stored [blocks, out]
            int blocks = cols / blockSize;
            if (t.length != (long) rows * blocks) {
                throw new BadInputException(where + ": " + names.offsets() + " has " + t.length + " values, expected "
                        + rows * blocks);
            }
            offsets = new float[t.length];
            for (int r = 0; r < rows; r++) {
                for (int b = 0; b < blocks; b++) {
                    offsets[r * blocks + b] = t[b * rows + r];
                }
            }
        }
        try {
            return new BlockQuantized(rows, cols, bits, blockSize, codes.data(), scales.toFloats(), zeroPoints, offsets);
        } catch (IllegalArgumentException e) {
            throw new BadInputException(where + ": quantized weight " + hf + ": " + e.getMessage(), e);
        }
    }

    /** The weights of {@code modelDir/model.onnx}. */
    public static OnnxWeightSource open(Path modelDir) {
        return new OnnxWeightSource(modelDir.resolve(ModelDirectoryWriter.MODEL_FILE));
    }

    /**
     * The weight in the Hugging Face layout. A transposed or dequantized weight is a fresh heap copy on every call
     * and is not cached: a caller building a graph holds it only until the graph is written, and a cache would keep
     * every linear of the model on the heap for as long as this source lives (the trainer keeps it for the whole
     * run: 490 MB of SmolLM2, docs/training.md, "Memory").
     */
    @Override
    public Tensor get(String hfName) {
        Tensor s = stored.get(hfName);
        if (s == null && blocks.containsKey(hfName)) {
            BlockQuantized q = blocks.get(hfName);
            return Tensor.ofFloats(hfName, new long[] {q.rows(), q.cols()}, q.dequantize());
        }
        if (s == null) {
            throw new BadInputException(where + ": missing tensor " + hfName);
        }
        // stored [in, out] under hfName + ".T": the Hugging Face layout is the transpose
        return s.name().endsWith(OnnxNames.TRANSPOSED) ? Tensors.transpose2d(s, hfName) : s.renamed(hfName);
    }

    @Override
    public Set<String> names() {
        Set<String> all = new java.util.LinkedHashSet<>(stored.keySet());
        all.addAll(blocks.keySet());
        return java.util.Collections.unmodifiableSet(all);
    }

    @Override
    public java.util.Optional<BlockQuantized> quantized(String hfName) {
        return java.util.Optional.ofNullable(blocks.get(hfName));
    }
}
