package rlif.trainer.params;

/**
 * One adapted linear layer as it is merged: {@code delta = scale * (A B)^T} in the Hugging Face {@code [out, in]}
 * orientation, with A {@code [in, rank]} and B {@code [rank, out]} in the graph's layout, and for DoRA the learnt
 * per-output-row magnitude {@code m}: merged {@code W' = m / ||W + delta||_row * (W + delta)}.
 *
 * @param module Hugging Face module path, e.g. {@code model.layers.0.self_attn.q_proj}
 * @param magnitude null for plain LoRA; else DoRA's {@code lora_magnitude_vector}, one value per output feature
 */
public record LoraDelta(String module, int rank, float[] a, float[] b, double scale, float[] magnitude) {
    public LoraDelta {
        if (rank < 1 || a.length % rank != 0 || b.length % rank != 0) {
            throw new IllegalArgumentException(module + ": A and B must be [in, " + rank + "] and [" + rank + ", out]");
        }
        if (magnitude != null && magnitude.length != b.length / rank) {
            throw new IllegalArgumentException(module + ": DoRA magnitude has " + magnitude.length + " values for "
                    + b.length / rank + " output features");
        }
    }

    public int in() {
        return a.length / rank;
    }

    public int out() {
        return b.length / rank;
    }

    /** The adapters a training run holds, all with the run's one scale. */
    public static java.util.List<LoraDelta> of(Trainables trainables, LoraSpec spec, java.util.Collection<String> modules) {
        java.util.List<LoraDelta> out = new java.util.ArrayList<>();
        for (String m : new java.util.TreeSet<>(modules)) {
            out.add(new LoraDelta(m, spec.rank(), trainables.get(LoraSpec.aName(m)).values(),
                    trainables.get(LoraSpec.bName(m)).values(), spec.scale(), null));
        }
        return out;
    }
}
