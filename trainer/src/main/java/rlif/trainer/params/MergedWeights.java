package rlif.trainer.params;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import rlif.models.arch.DecoderConfig;
import rlif.models.arch.OnnxNames;
import rlif.models.arch.WeightSource;
import rlif.models.tensor.Tensor;

/**
 * The weights of the current policy under Hugging Face names and layouts, for writing a plain model
 * directory: trained full weights (transposed back from the graph's {@code [in, out]}), or base weights
 * with each LoRA (or DoRA) adapter merged in, in the layout each module stores.
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

    /** LoRA as a training run holds it: one scale for every adapted module. */
    public static WeightSource lora(DecoderConfig config, WeightSource base, Trainables trainables, LoraSpec spec,
            Set<String> modules) {
        return lora(config, base, LoraDelta.of(trainables, spec, modules));
    }

    /**
     * Each adapted {@code module.weight} gets its delta merged in, in double: {@code W + scale (A B)^T} for a
     * Linear ({@code [out, in]}), {@code W + scale A B} for GPT-2's Conv1D ({@code [in, out]}, as PEFT's
     * {@code fan_in_fan_out}), and for DoRA the sum rescaled row by output feature to the learnt magnitude.
     */
    public static WeightSource lora(DecoderConfig config, WeightSource base, List<LoraDelta> deltas) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (String hf : base.names()) {
            out.put(hf, base.get(hf));
        }
        for (LoraDelta d : deltas) {
            String wName = d.module() + ".weight";
            if (!out.containsKey(wName)) {
                throw new IllegalArgumentException("base model has no " + wName + " to merge an adapter into");
            }
            out.put(wName, merge(out.get(wName), d, config.storesInOut(d.module())));
        }
        return WeightSource.of(out, "merged weights");
    }

    /** {@code w} ({@code [out, in]}, or {@code [in, out]} when {@code inOut}) with {@code d} merged in. */
    static Tensor merge(Tensor w, LoraDelta d, boolean inOut) {
        long[] ws = w.shape();
        int outDim = d.out();
        int inDim = d.in();
        long[] expected = inOut ? new long[] {inDim, outDim} : new long[] {outDim, inDim};
        if (!java.util.Arrays.equals(ws, expected)) {
            throw new rlif.models.BadInputException("adapter on " + d.module() + " is " + inDim + " -> " + outDim
                    + " (rank " + d.rank() + ") but the base weight " + w.name() + " is " + java.util.Arrays.toString(ws)
                    + (inOut ? " ([in, out], a Conv1D)" : " ([out, in])"));
        }
        float[] base = w.toFloats();
        float[] a = d.a();
        float[] b = d.b();
        int r = d.rank();
        double[][] rows = new double[outDim][inDim];
        for (int o = 0; o < outDim; o++) {
            for (int i = 0; i < inDim; i++) {
                double delta = 0;
                for (int k = 0; k < r; k++) {
                    delta += (double) a[i * r + k] * b[k * outDim + o];
                }
                rows[o][i] = base[inOut ? i * outDim + o : o * inDim + i] + d.scale() * delta;
            }
        }
        if (d.magnitude() != null) {
            // DoRA (PEFT's get_weight_norm): the L2 norm of each output feature's row of W + delta
            for (int o = 0; o < outDim; o++) {
                double norm = 0;
                for (int i = 0; i < inDim; i++) {
                    norm += rows[o][i] * rows[o][i];
                }
                double factor = d.magnitude()[o] / Math.sqrt(norm);
                for (int i = 0; i < inDim; i++) {
                    rows[o][i] *= factor;
                }
            }
        }
        float[] merged = new float[base.length];
        for (int o = 0; o < outDim; o++) {
            for (int i = 0; i < inDim; i++) {
                merged[inOut ? i * outDim + o : o * inDim + i] = (float) rows[o][i];
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
