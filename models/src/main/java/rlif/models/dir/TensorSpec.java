package rlif.models.dir;

import java.util.Arrays;
import java.util.List;
import rlif.models.tensor.DType;

/**
 * A graph input or output as the ONNX file declares it: name, element type (null when rlif has no
 * {@link DType} for it) and dimensions, {@code -1} where a dimension is symbolic.
 */
public record TensorSpec(String name, DType dtype, int onnxType, long[] dims, List<String> dimNames) {
    public TensorSpec {
        dims = dims.clone();
        dimNames = List.copyOf(dimNames);
    }

    @Override
    public long[] dims() {
        return dims.clone();
    }

    public int rank() {
        return dims.length;
    }

    /** Dimension {@code axis}, or -1 when symbolic or out of range. */
    public long dim(int axis) {
        return axis >= 0 && axis < dims.length ? dims[axis] : -1;
    }

    @Override
    public String toString() {
        return name + " " + (dtype == null ? "type" + onnxType : dtype) + Arrays.toString(dims);
    }
}
