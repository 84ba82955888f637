package rlif.models.arch;

import rlif.models.graph.GraphBuilder;
import rlif.models.graph.Value;
import rlif.models.tensor.Tensor;

/**
 * How an architecture turns checkpoint tensors into graph values and applies its linear layers. The
 * default makes every weight an initializer and every linear a MatMul (+ Add); the trainer overrides it
 * to make weights graph inputs or to add LoRA terms to chosen projections.
 */
public interface LayerHooks {
    /** The hooks of a plain inference graph. */
    LayerHooks DEFAULT = new LayerHooks() {};

    /**
     * The graph value for one weight, already in the model's dtype and ONNX layout.
     *
     * @param onnxName the initializer name ({@link OnnxNames}: the Hugging Face name, plus {@code .T} when transposed)
     * @param hfName the Hugging Face name the tensor came from
     */
    default Value parameter(GraphBuilder g, String onnxName, String hfName, Tensor t) {
        return g.initializer(onnxName, t);
    }

    /**
     * {@code x @ w (+ bias)} for the linear layer {@code module} (Hugging Face module path such as
     * {@code model.layers.0.self_attn.q_proj} or {@code transformer.h.0.attn.c_attn}); {@code w} is
     * {@code [in, out]}, {@code bias} may be null.
     */
    default Value linear(GraphBuilder g, String module, Value x, Value w, Value bias) {
        return g.linear(x, w, bias);
    }

    /** {@code x @ W^T (+ bias)} for the linear layer {@code module} whose weight is held as {@code w}. */
    default Value linear(GraphBuilder g, String module, Value x, LinearWeight w, Value bias) {
        if (w instanceof LinearWeight.Dense d) {
            return linear(g, module, x, d.w(), bias);
        }
        Value y = w.times(g, x);
        return bias == null ? y : g.add(y, bias);
    }
}
