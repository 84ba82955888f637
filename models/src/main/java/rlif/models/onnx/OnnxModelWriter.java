package rlif.models.onnx;

import ai.onnx.proto.OnnxMl;
import java.nio.file.Path;
import java.util.function.Function;
import rlif.models.io.AtomicFiles;

/** Writes an ONNX model file with its large initializers in an external data file beside it ({@code <name>.data}). */
public final class OnnxModelWriter {
    private OnnxModelWriter() {}

    /**
     * Writes {@code dir/fileName} and {@code dir/fileName.data}, each atomically. {@code build} turns an
     * initializer sink into the model (e.g. {@code graph::toModel}); it is called once while the data file
     * streams out, so tensors are never all held as protobuf bytes.
     *
     * @return the model as written (with external references)
     */
    public static OnnxMl.ModelProto write(Path dir, String fileName, Function<InitializerSink, OnnxMl.ModelProto> build) {
        String dataName = fileName + ".data";
        ExternalData.checkLocationSyntax(fileName, "model file name");
        OnnxMl.ModelProto[] model = new OnnxMl.ModelProto[1];
        AtomicFiles.write(dir.resolve(dataName), out -> model[0] = build.apply(new ExternalDataWriter(out, dataName)));
        AtomicFiles.write(dir.resolve(fileName), out -> model[0].writeTo(out));
        return model[0];
    }

    /** Rewrites an existing model (e.g. one read with {@link OnnxModel}) with all initializers going through external data. */
    public static OnnxMl.ModelProto write(Path dir, String fileName, OnnxMl.ModelProto model, Function<OnnxMl.TensorProto, rlif.models.tensor.Tensor> tensors) {
        return write(dir, fileName, sink -> {
            OnnxMl.GraphProto.Builder g = model.getGraph().toBuilder().clearInitializer();
            for (OnnxMl.TensorProto p : model.getGraph().getInitializerList()) {
                g.addInitializer(sink.put(tensors.apply(p)));
            }
            return model.toBuilder().setGraph(g).build();
        });
    }
}
