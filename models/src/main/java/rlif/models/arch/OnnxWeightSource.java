package rlif.models.arch;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import rlif.models.BadInputException;
import rlif.models.graph.GraphBuilder;
import rlif.models.onnx.OnnxModel;
import rlif.models.tensor.Tensor;
import rlif.models.tensor.Tensors;

/**
 * The weights of a decoder this project wrote, back under their Hugging Face names and layouts
 * ({@code .T} initializers transposed back; builder constants skipped). Used to rebuild, mix or export a
 * model directory; tensors stay memory-mapped.
 */
public final class OnnxWeightSource implements WeightSource {
    private final Map<String, Tensor> byHfName = new LinkedHashMap<>();
    private final Map<String, Tensor> stored = new LinkedHashMap<>();
    private final String where;

    private OnnxWeightSource(Path modelFile) {
        this.where = modelFile.toString();
        try (OnnxModel m = OnnxModel.read(modelFile)) {
            for (var p : m.proto().getGraph().getInitializerList()) {
                if (GraphBuilder.CONSTANT_DOC.equals(p.getDocString())) {
                    continue;
                }
                Tensor t = m.tensor(p);
                String hf = OnnxNames.hfName(p.getName());
                if (stored.put(hf, t) != null) {
                    throw new BadInputException(where + ": weight " + hf + " is stored twice");
                }
            }
        }
    }

    /** The weights of {@code modelDir/model.onnx}. */
    public static OnnxWeightSource open(Path modelDir) {
        return new OnnxWeightSource(modelDir.resolve(ModelDirectoryWriter.MODEL_FILE));
    }

    @Override
    public Tensor get(String hfName) {
        Tensor t = byHfName.get(hfName);
        if (t != null) {
            return t;
        }
        Tensor s = stored.get(hfName);
        if (s == null) {
            throw new BadInputException(where + ": missing tensor " + hfName);
        }
        // stored [in, out] under hfName + ".T": the Hugging Face layout is the transpose
        t = s.name().endsWith(OnnxNames.TRANSPOSED) ? Tensors.transpose2d(s, hfName) : s.renamed(hfName);
        byHfName.put(hfName, t);
        return t;
    }

    @Override
    public Set<String> names() {
        return java.util.Collections.unmodifiableSet(stored.keySet());
    }
}
