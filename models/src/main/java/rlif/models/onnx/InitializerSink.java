package rlif.models.onnx;

import ai.onnx.proto.OnnxMl;
import rlif.models.tensor.Tensor;

/** Decides where an initializer's bytes go when a graph is exported: inline in the model, or in an external data file. */
@FunctionalInterface
public interface InitializerSink {
    /** The {@code TensorProto} describing {@code t} (its bytes inline, or a reference to where they were written). */
    OnnxMl.TensorProto put(Tensor t);

    /** Every tensor inline as {@code raw_data}. */
    static InitializerSink inline() {
        return TensorProtos::toProto;
    }
}
