package rlif.models.importer;

import java.util.Locale;
import rlif.models.BadInputException;
import rlif.models.arch.LinearWeights;
import rlif.models.tensor.DType;

/**
 * {@code rlif import --dtype}: the activation type and how linear weights are stored. {@code int4} and {@code int8}
 * keep a source's quantized blocks as they are (GGUF Q4_0, Q4_1 and Q4_K at 4 bits; Q8_0, Q5_K and Q6_K at 8 bits,
 * since narrowing them would lose precision the file has) and quantize float linears to 4 or 8 bits; embeddings and
 * norms stay float32.
 */
public enum ImportDtype {
    FP32(DType.F32, LinearWeights.DENSE),
    FP16(DType.F16, LinearWeights.DENSE),
    INT4(DType.F32, LinearWeights.quantized(4)),
    INT8(DType.F32, LinearWeights.quantized(8));

    private final DType activations;
    private final LinearWeights linears;

    ImportDtype(DType activations, LinearWeights linears) {
        this.activations = activations;
        this.linears = linears;
    }

    /** The {@code --dtype} names. */
    public static final String NAMES = "fp32, fp16, int4, int8";

    public static ImportDtype parse(String name) {
        try {
            return valueOf(name.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new BadInputException("--dtype " + name + " is not one of " + NAMES);
        }
    }

    public DType activations() {
        return activations;
    }

    public LinearWeights linears() {
        return linears;
    }

    /** The name as {@code --dtype} spells it. */
    public String cliName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
