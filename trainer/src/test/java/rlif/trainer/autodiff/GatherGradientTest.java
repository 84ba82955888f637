package rlif.trainer.autodiff;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import rlif.models.graph.GraphBuilder;
import rlif.models.graph.Shape;
import rlif.models.graph.Value;
import rlif.models.tensor.DType;
import rlif.models.tensor.Tensors;

/**
 * The gradient of an embedding lookup on the threads training runs on. ONNX Runtime's CPU ScatterND adds rows on
 * several threads without synchronisation, and a gradient built on it lost updates when two threads added to one
 * token's row at once (tools/scatter_add_check.py): the trainer's runs were then neither correct nor reproducible.
 * Float32 sums of about 17 unit-variance terms, compared with a float64 reference: their rounding is below 1e-5,
 * a lost update is off by O(1); the tolerance of 1e-4 separates the two.
 */
class GatherGradientTest {
    @Test
    void anEmbeddingGradientOnTwoThreadsAddsEveryRepeatOfAToken() throws Exception {
        int vocab = 970;
        int hidden = 96;
        int rows = 16384; // the word-level organism's embedding, two demo steps' token rows
        GraphBuilder g = new GraphBuilder("embedding");
        Value table = g.input("table", DType.F32, Shape.of(vocab, hidden));
        Random rnd = new Random(7);
        long[] ids = new long[rows];
        for (int i = 0; i < rows; i++) {
            ids[i] = rnd.nextInt(vocab);
        }
        Value y = g.gather(table, g.constant(Tensors.ofLongs("ids", new long[] {rows}, ids)), 0);
        Value seed = g.input("seed", DType.F32, Shape.of(rows, hidden));
        Map<Value, Value> seeds = new LinkedHashMap<>();
        seeds.put(y, seed);
        g.output("grad", Autodiff.gradients(g, seeds, List.of(table)).get("table"));

        float[] s = new float[rows * hidden];
        for (int i = 0; i < s.length; i++) {
            s[i] = (float) rnd.nextGaussian();
        }
        double[] expected = new double[vocab * hidden];
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < hidden; j++) {
                expected[(int) ids[r] * hidden + j] += s[r * hidden + j];
            }
        }

        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions so = new OrtSession.SessionOptions()) {
            so.setIntraOpNumThreads(2);
            try (OrtSession session = env.createSession(g.toModel().toByteArray(), so);
                    OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(new float[vocab * hidden]),
                            new long[] {vocab, hidden});
                    OnnxTensor sd = OnnxTensor.createTensor(env, FloatBuffer.wrap(s), new long[] {rows, hidden})) {
                float[] first = null;
                for (int run = 0; run < 10; run++) {
                    float[] got = new float[vocab * hidden];
                    try (OrtSession.Result r = session.run(Map.of("table", t, "seed", sd))) {
                        ((OnnxTensor) r.get(0)).getFloatBuffer().get(got);
                    }
                    double worst = 0;
                    for (int i = 0; i < got.length; i++) {
                        worst = Math.max(worst, Math.abs(got[i] - expected[i]));
                    }
                    assertThat(worst).as("largest error of run %d", run).isLessThan(1e-4);
                    if (first == null) {
                        first = got;
                    } else {
                        assertThat(got).as("run %d against run 0", run).isEqualTo(first);
                    }
                }
            }
        }
    }
}
