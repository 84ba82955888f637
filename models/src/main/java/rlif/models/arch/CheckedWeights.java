package rlif.models.arch;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.TreeSet;
import rlif.models.BadInputException;
import rlif.models.graph.GraphBuilder;
import rlif.models.graph.Value;
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
    private final Set<String> used = new HashSet<>();

    CheckedWeights(WeightSource source, GraphBuilder g, DType dtype, LayerHooks hooks) {
        this.source = source;
        this.g = g;
        this.dtype = dtype;
        this.hooks = hooks;
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
