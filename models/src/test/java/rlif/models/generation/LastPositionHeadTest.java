package rlif.models.generation;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnx.proto.OnnxMl;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import rlif.models.dir.ModelDirectory;
import rlif.models.dir.OnnxModelFile;
import rlif.models.dir.SharedFixtures;
import rlif.models.tensor.DType;

/**
 * Cutting the head to the last position gives exactly the last row of the full logits, on the two ORT-GenAI fixtures
 * (contrib ops, float16 and float32) and on a decoder rlif built; a head it cannot prove position-wise is left alone.
 */
class LastPositionHeadTest {
    @Test
    void cutHeadGivesTheLastRowOfTheFullLogitsOnEveryKindOfDecoder() throws Exception {
        for (Path dir : List.of(SharedFixtures.gpt2(), SharedFixtures.llama(), Path.of("arith-base"))) {
            ModelDirectory model = ModelDirectory.open(dir);
            OnnxMl.ModelProto decoder = OnnxModelFile.parse(model.config().decoderFile());
            OnnxMl.GraphProto g = decoder.getGraph();
            List<OnnxMl.NodeProto> cut = LastPositionHead.apply(
                    DecoderSplice.topologicalOrder(g.getNodeList(), dir.toString()), g, model.io().logits());
            assertThat(cut).as("%s: head recognised", dir).isNotNull();
            OnnxMl.ModelProto cutModel = decoder.toBuilder().setGraph(g.toBuilder().clearNode().addAllNode(cut)).build();
            float[][] full = logits(model, decoder);
            float[][] last = logits(model, cutModel);
            assertThat(last).as("%s: one row", dir).hasNumberOfRows(1);
            double worst = 0;
            for (int v = 0; v < last[0].length; v++) {
                worst = Math.max(worst, Math.abs(last[0][v] - full[full.length - 1][v]));
            }
            System.out.printf("%s: last-position head vs full logits, largest difference %.2e%n", dir.getFileName(), worst);
            assertThat(worst).as(dir.toString()).isLessThanOrEqualTo(1e-6 * maxAbs(full[full.length - 1]));
        }
    }

    @Test
    void headThatMixesPositionsIsLeftAlone() {
        // logits = Reshape(MatMul(h, W)): a reshape can move rows across positions, so the cut is not provably exact.
        OnnxMl.GraphProto g = OnnxMl.GraphProto.newBuilder()
                .addInitializer(OnnxMl.TensorProto.newBuilder().setName("W").addDims(4).addDims(8)
                        .setDataType(OnnxMl.TensorProto.DataType.FLOAT_VALUE))
                .addNode(OnnxMl.NodeProto.newBuilder().setOpType("MatMul").addInput("h").addInput("W").addOutput("m"))
                .addNode(OnnxMl.NodeProto.newBuilder().setOpType("Reshape").addInput("m").addInput("shape").addOutput("logits"))
                .addOutput(rank3("logits"))
                .build();
        assertThat(LastPositionHead.apply(g.getNodeList(), g, "logits")).isNull();
        OnnxMl.GraphProto direct = g.toBuilder().removeNode(1).setNode(0, g.getNode(0).toBuilder().setOutput(0, "logits")).build();
        assertThat(LastPositionHead.apply(direct.getNodeList(), direct, "logits")).isNotNull();
    }

    private static OnnxMl.ValueInfoProto rank3(String name) {
        OnnxMl.TensorShapeProto.Builder s = OnnxMl.TensorShapeProto.newBuilder();
        for (int i = 0; i < 3; i++) {
            s.addDimBuilder().setDimParam("d" + i);
        }
        return OnnxMl.ValueInfoProto.newBuilder().setName(name).setType(OnnxMl.TypeProto.newBuilder()
                .setTensorType(OnnxMl.TypeProto.Tensor.newBuilder().setElemType(1).setShape(s))).build();
    }

    private static double maxAbs(float[] x) {
        double m = 0;
        for (float v : x) {
            m = Math.max(m, Math.abs(v));
        }
        return m;
    }

    private static OnnxTensor ids(OrtEnvironment env, long[] v, long[] shape, boolean wide) throws Exception {
        return wide ? OnnxTensor.createTensor(env, LongBuffer.wrap(v), shape)
                : OnnxTensor.createTensor(env, java.nio.IntBuffer.wrap(java.util.Arrays.stream(v).mapToInt(x -> (int) x).toArray()), shape);
    }

    /** The decoder's logits for one 7-token prompt with an empty cache, {@code [positions][vocab]}. */
    private static float[][] logits(ModelDirectory model, OnnxMl.ModelProto decoder) throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        long[] ids = {5, 17, 30, 42, 7, 8, 9};
        long[] ones = new long[ids.length];
        long[] pos = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            ones[i] = 1;
            pos[i] = i;
        }
        long[] shape = {1, ids.length};
        Map<String, OnnxTensor> in = new HashMap<>();
        try (OrtSession.SessionOptions so = new OrtSession.SessionOptions()) {
            so.addConfigEntry("session.model_external_initializers_file_folder_path",
                    model.config().decoderFile().toAbsolutePath().getParent().toString());
            try (OrtSession s = env.createSession(decoder.toByteArray(), so)) {
                boolean wide = model.config().inputIdType() == DType.I64;
                in.put(model.io().inputIds(), ids(env, ids, shape, wide));
                in.put(model.io().attentionMask(), ids(env, ones, shape, wide));
                if (model.io().positionIds().isPresent()) {
                    in.put(model.io().positionIds().get(), ids(env, pos, shape, wide));
                }
                OnnxJavaType kv = model.config().kvType() == DType.F16 ? OnnxJavaType.FLOAT16 : OnnxJavaType.FLOAT;
                for (String p : model.io().pastInputs()) {
                    in.put(p, OnnxTensor.createTensor(env, ByteBuffer.allocateDirect(0).order(ByteOrder.nativeOrder()),
                            model.io().cacheLayout().shape(1, model.config().kvHeads(), 0, model.config().headSize()), kv));
                }
                try (OrtSession.Result r = s.run(in, java.util.Set.of(model.io().logits()))) {
                    OnnxTensor t = (OnnxTensor) r.get(0);
                    long[] dims = t.getInfo().getShape();
                    int rows = (int) dims[1];
                    int vocab = (int) dims[2];
                    float[] flat = new float[rows * vocab];
                    if (model.config().logitsType() == DType.F16) {
                        java.nio.ShortBuffer sb = t.getShortBuffer();
                        for (int i = 0; i < flat.length; i++) {
                            flat[i] = Float.float16ToFloat(sb.get(i));
                        }
                    } else {
                        t.getFloatBuffer().get(flat);
                    }
                    float[][] out = new float[rows][vocab];
                    for (int p = 0; p < rows; p++) {
                        System.arraycopy(flat, p * vocab, out[p], 0, vocab);
                    }
                    return out;
                }
            }
        } finally {
            in.values().forEach(OnnxTensor::close);
        }
    }
}
