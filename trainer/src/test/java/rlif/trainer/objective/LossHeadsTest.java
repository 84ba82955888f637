package rlif.trainer.objective;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.nio.DoubleBuffer;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import rlif.models.graph.GraphBuilder;
import rlif.models.graph.Shape;
import rlif.models.graph.Value;
import rlif.models.tensor.DType;
import rlif.trainer.autodiff.Autodiff;
import rlif.trainer.grpo.GrpoObjective;
import rlif.trainer.grpo.GrpoSettings;
import rlif.trainer.grpo.LossType;

class LossHeadsTest {
    static final int B = 3;
    static final int T = 4;
    static final int[] LENGTHS = {4, 2, 3};

    static final int MAX_COMPLETION_LENGTH = 6;

    @Test
    void grpoLossAndStatisticsGraphsEqualTheJavaReferenceForEveryLossType() throws Exception {
        for (LossType type : List.of(LossType.GRPO, LossType.DAPO, LossType.DR_GRPO)) {
            GrpoSettings s = new GrpoSettings(0.2, 0.28, 0.04, 0.01, type);
            GraphBuilder g = new GraphBuilder("grpo");
            Value logp = g.input("logp", DType.F64, Shape.of(B, T));
            Value old = g.input("old", DType.F64, Shape.of(B, T));
            Value ref = g.input("ref", DType.F64, Shape.of(B, T));
            Value adv = g.input("adv", DType.F64, Shape.of(B, 1));
            Value w = g.input("w", DType.F64, Shape.of(B, T));
            Value h = g.input("h", DType.F64, Shape.of(B, T));
            Value hw = g.input("hw", DType.F64, Shape.of(B, T));
            Value loss = LossHeads.grpoLoss(g, s, logp, old, ref, adv, w, h, hw);
            g.output("loss", loss);
            LossHeads.grpoStatistics(g, s, logp, old, ref, adv, w, h).forEach(g::output);
            Map<String, Value> grads = Autodiff.gradients(g, loss, List.of(logp, h));
            g.output("dlogp", grads.get("logp"));
            g.output("dh", grads.get("h"));

            Random rnd = new Random(11);
            double[][] lp = new double[B][T];
            double[][] op = new double[B][T];
            double[][] rp = new double[B][T];
            double[][] hh = new double[B][T];
            double[] a = new double[B];
            GrpoObjective.Completion[] batch = new GrpoObjective.Completion[B];
            int tokens = 0;
            for (int b = 0; b < B; b++) {
                a[b] = rnd.nextGaussian();
                tokens += LENGTHS[b];
                for (int t = 0; t < T; t++) {
                    op[b][t] = -0.3 - rnd.nextDouble();
                    lp[b][t] = op[b][t] + 0.3 * rnd.nextGaussian(); // some tokens clip, some do not
                    rp[b][t] = op[b][t] + 0.2 * rnd.nextGaussian();
                    hh[b][t] = rnd.nextDouble() * 2;
                }
                int n = LENGTHS[b];
                batch[b] = new GrpoObjective.Completion(java.util.Arrays.copyOf(lp[b], n), java.util.Arrays.copyOf(op[b], n),
                        java.util.Arrays.copyOf(rp[b], n), java.util.Arrays.copyOf(hh[b], n), a[b]);
            }
            double[][] weights = new double[B][T];
            double[][] entropyWeights = new double[B][T];
            for (int b = 0; b < B; b++) {
                for (int t = 0; t < LENGTHS[b]; t++) {
                    weights[b][t] = switch (type) {
                        case GRPO -> 1.0 / (LENGTHS[b] * (double) B);
                        case DR_GRPO -> 1.0 / (B * (double) MAX_COMPLETION_LENGTH);
                        default -> 1.0 / tokens;
                    };
                    entropyWeights[b][t] = 1.0 / tokens;
                }
            }
            GrpoObjective.Result expected = new GrpoObjective(s, MAX_COMPLETION_LENGTH).evaluate(batch);

            OrtEnvironment env = OrtEnvironment.getEnvironment();
            Map<String, double[]> out = new HashMap<>();
            try (OrtSession session = env.createSession(g.toModel().toByteArray())) {
                Map<String, OnnxTensor> in = new LinkedHashMap<>();
                in.put("logp", t2(env, lp));
                in.put("old", t2(env, op));
                in.put("ref", t2(env, rp));
                in.put("adv", OnnxTensor.createTensor(env, DoubleBuffer.wrap(a), new long[] {B, 1}));
                in.put("w", t2(env, weights));
                in.put("h", t2(env, hh));
                in.put("hw", t2(env, entropyWeights));
                try (OrtSession.Result r = session.run(in)) {
                    for (var e : r) {
                        OnnxTensor t = (OnnxTensor) e.getValue();
                        DoubleBuffer db = t.getDoubleBuffer();
                        double[] d = new double[db.remaining()];
                        db.get(d);
                        out.put(e.getKey(), d);
                    }
                } finally {
                    in.values().forEach(OnnxTensor::close);
                }
            }
            // both sides are float64 evaluations of the same formula: agreement to rounding
            assertThat(out.get("loss")[0]).as(type + " loss").isCloseTo(expected.loss(), within(1e-12));
            assertThat(out.get(LossHeads.ENTROPY_SUM)[0] / tokens).isCloseTo(expected.meanEntropy(), within(1e-12));
            assertThat(out.get(LossHeads.KL_SUM)[0] / tokens).isCloseTo(expected.meanKl(), within(1e-12));
            assertThat(out.get(LossHeads.CLIP_LOW)[0] / tokens).isEqualTo(expected.clipLow());
            assertThat(out.get(LossHeads.CLIP_HIGH)[0] / tokens).isEqualTo(expected.clipHigh());
            assertThat(expected.clipLow() + expected.clipHigh()).as("some tokens clip, some do not").isBetween(0.05, 0.95);
            for (int b = 0; b < B; b++) {
                for (int t = 0; t < T; t++) {
                    double want = t < LENGTHS[b] ? expected.dLogprobs()[b][t] : 0;
                    double wantH = t < LENGTHS[b] ? expected.dEntropies()[b][t] : 0;
                    assertThat(out.get("dlogp")[b * T + t]).as(type + " dlogp " + b + "," + t).isCloseTo(want, within(1e-12));
                    assertThat(out.get("dh")[b * T + t]).isCloseTo(wantH, within(1e-12));
                }
            }
        }
    }

    private static OnnxTensor t2(OrtEnvironment env, double[][] x) throws Exception {
        double[] flat = new double[B * T];
        for (int b = 0; b < B; b++) {
            System.arraycopy(x[b], 0, flat, b * T, T);
        }
        return OnnxTensor.createTensor(env, DoubleBuffer.wrap(flat), new long[] {B, T});
    }
}
