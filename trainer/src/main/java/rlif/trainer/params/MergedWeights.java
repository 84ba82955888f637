package rlif.trainer.params;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import rlif.models.arch.OnnxNames;
import rlif.models.arch.WeightSource;
import rlif.models.tensor.Tensor;

/**
 * The weights of the current policy under Hugging Face names and layouts, for writing a plain model
 * directory: trained full weights (transposed back from the graph's {@code [in, out]}), or base weights
 * with each LoRA adapter merged in as {@code W + (alpha / r) (A B)^T}.
 */
public final class MergedWeights {
    private MergedWeights() {}

    /** Full training: every trainable replaces the base tensor it came from. */
    public static WeightSource full(WeightSource base, Trainables trainables) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (String hf : base.names()) {
            Tensor b = base.get(hf);
            Trainables.Param plain = trainables.get(hf);
            Trainables.Param transposed = trainables.get(OnnxNames.transposed(hf));
            if (transposed != null) {
                out.put(hf, transpose(hf, transposed.values(), transposed.shape()));
            } else if (plain != null) {
                out.put(hf, Tensor.ofFloats(hf, plain.shape(), plain.values().clone()));
            } else {
                out.put(hf, b);
            }
        }
        return WeightSource.of(out, "trained weights");
    }

    /** LoRA: {@code module.weight} ({@code [out, in]}) gets {@code scale * (A B)^T} added, in double, for each adapted module. */
    public static WeightSource lora(WeightSource base, Trainables trainables, LoraSpec spec, Set<String> modules) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (String hf : base.names()) {
            out.put(hf, base.get(hf));
        }
        for (String m : modules) {
            String wName = m + ".weight";
            if (!out.containsKey(wName)) {
                throw new IllegalArgumentException("base model has no " + wName + " to merge an adapter into");
            }
            out.put(wName, merge(out.get(wName), trainables.get(LoraSpec.aName(m)), trainables.get(LoraSpec.bName(m)),
                    spec.scale()));
        }
        return WeightSource.of(out, "merged weights");
    }

    /** {@code w [out, in] + scale * (a [in, r] @ b [r, out])^T}. */
    static Tensor merge(Tensor w, Trainables.Param a, Trainables.Param b, double scale) {
        long[] ws = w.shape();
        int outDim = (int) ws[0];
        int inDim = (int) ws[1];
        int r = (int) a.shape()[1];
        if (a.shape()[0] != inDim || b.shape()[1] != outDim || b.shape()[0] != r) {
            throw new IllegalArgumentException("adapter shapes do not fit " + w.name());
        }
        float[] base = w.toFloats();
        float[] merged = new float[base.length];
        for (int o = 0; o < outDim; o++) {
            for (int i = 0; i < inDim; i++) {
                double d = 0;
                for (int k = 0; k < r; k++) {
                    d += (double) a.values()[i * r + k] * b.values()[k * outDim + o];
                }
                merged[o * inDim + i] = (float) (base[o * inDim + i] + scale * d);
            }
        }
        return Tensor.ofFloats(w.name(), ws, merged);
    }

    private static Tensor transpose(String name, float[] v, long[] shape) {
        int rows = (int) shape[0];
        int cols = (int) shape[1];
        float[] t = new float[v.length];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                t[j * rows + i] = v[i * cols + j];
            }
        }
        return Tensor.ofFloats(name, new long[] {cols, rows}, t);
    }
}
