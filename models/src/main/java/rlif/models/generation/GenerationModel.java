package rlif.models.generation;

import ai.onnx.proto.OnnxMl;
import java.util.List;

/**
 * A built generation graph.
 *
 * @param proto            the model; its weights are those of the decoder file, external data included (load it
 *                         with the decoder's directory as the external-initializer folder)
 * @param lastPositionOnly whether the prefill computes logits for the last position only (else it holds a
 *                         {@code [batch, prompt, vocab]} block, which the caller should bound)
 * @param callerInputs     decoder inputs the caller feeds on every run, under their own names
 */
public record GenerationModel(OnnxMl.ModelProto proto, boolean lastPositionOnly, List<String> callerInputs) {
    public GenerationModel {
        callerInputs = List.copyOf(callerInputs);
    }
}
