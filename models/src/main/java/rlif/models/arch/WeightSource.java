package rlif.models.arch;

import java.util.Map;
import java.util.Set;
import java.util.SequencedMap;
import java.util.LinkedHashMap;
import rlif.models.BadInputException;
import rlif.models.tensor.Tensor;

/**
 * Checkpoint tensors by their Hugging Face names ({@code model.layers.0.self_attn.q_proj.weight},
 * {@code transformer.h.0.attn.c_attn.weight}) in Hugging Face layouts (linear weights {@code [out, in]},
 * GPT-2 Conv1D weights {@code [in, out]}), any float dtype. Importers implement it for safetensors, GGUF
 * and ONNX.
 */
public interface WeightSource {
    /** The tensor named {@code hfName}; a missing name is a {@link BadInputException} naming it. */
    Tensor get(String hfName);

    /** Every tensor name this source has. */
    Set<String> names();

    default boolean has(String hfName) {
        return names().contains(hfName);
    }

    /**
     * The tensor {@code hfName} as the quantized blocks the source stores it in (GGUF Q4_0, Q4_1, Q8_0, K-quants; an
     * int4/int8 model directory), or empty when the source holds it as floats. {@link #get} always gives floats.
     */
    default java.util.Optional<rlif.models.quant.BlockQuantized> quantized(String hfName) {
        return java.util.Optional.empty();
    }

    /** A source over a map of tensors keyed by Hugging Face name; {@code where} names it in errors. */
    static WeightSource of(Map<String, Tensor> tensors, String where) {
        SequencedMap<String, Tensor> copy = new LinkedHashMap<>(tensors);
        return new WeightSource() {
            @Override
            public Tensor get(String hfName) {
                Tensor t = copy.get(hfName);
                if (t == null) {
                    throw new BadInputException(where + ": missing tensor " + hfName);
                }
                return t;
            }

            @Override
            public Set<String> names() {
                return java.util.Collections.unmodifiableSet(copy.keySet());
            }
        };
    }
}
