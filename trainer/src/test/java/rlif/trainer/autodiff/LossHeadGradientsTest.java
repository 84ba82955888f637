package rlif.trainer.autodiff;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import rlif.models.graph.GraphBuilder;
import rlif.models.graph.Value;
import rlif.models.tensor.DType;
import rlif.models.tensor.Tensors;
import rlif.trainer.grpo.GrpoSettings;
import rlif.trainer.grpo.LossType;
import rlif.trainer.objective.LossHeads;

/** The loss heads differentiated all the way to the logits, against float64 finite differences. */
class LossHeadGradientsTest {
    private static Value targets(GraphBuilder g) {
        return g.constant(Tensors.ofLongs("targets", new long[] {2, 3}, new long[] {4, 0, 2, 1, 1, 3}));
    }

    private static Value weights(GraphBuilder g) {
        return g.constant(Tensors.ofFloats("w", new long[] {2, 3}, new float[] {0, 0.25f, 0.25f, 0.25f, 0.25f, 0}, DType.F64));
    }

    @Test
    void sftCrossEntropyAtATemperature() {
        GradCheck.Result r = GradCheck.run(DType.F64, new long[][] {{2, 3, 5}}, (g, x) -> {
            Value lsm = LossHeads.logSoftmax(g, x.get(0), 0.7);
            return LossHeads.sftLoss(g, LossHeads.tokenLogprobs(g, lsm, targets(g)), weights(g));
        }, 1, 1e-5);
        assertThat(r.maxError()).isLessThan(1e-6);
    }

    @Test
    void tokenEntropy() {
        GradCheck.Result r = GradCheck.run(DType.F64, new long[][] {{2, 3, 5}},
                (g, x) -> LossHeads.tokenEntropy(g, LossHeads.logSoftmax(g, x.get(0), 1.0)), 2, 1e-5);
        assertThat(r.maxError()).isLessThan(1e-6);
    }

    @Test
    void grpoLossWithKlAndEntropyTermsThroughTheLogits() {
        GrpoSettings s = new GrpoSettings(0.2, 0.28, 0.1, 0.05, LossType.DAPO);
        GradCheck.Result r = GradCheck.run(DType.F64, new long[][] {{2, 3, 5}}, (g, x) -> {
            Value lsm = LossHeads.logSoftmax(g, x.get(0), 1.0);
            Value logp = LossHeads.tokenLogprobs(g, lsm, targets(g));
            Value old = g.constant(Tensors.ofFloats("old", new long[] {2, 3},
                    new float[] {-1.2f, -2.0f, -1.4f, -1.9f, -1.6f, -1.5f}, DType.F64));
            Value ref = g.constant(Tensors.ofFloats("ref", new long[] {2, 3},
                    new float[] {-1.5f, -1.7f, -1.6f, -1.2f, -1.8f, -2.1f}, DType.F64));
            Value adv = g.constant(Tensors.ofFloats("adv", new long[] {2, 1}, new float[] {0.8f, -1.1f}, DType.F64));
            return LossHeads.grpoLoss(g, s, logp, old, ref, adv, weights(g), LossHeads.tokenEntropy(g, lsm), weights(g));
        }, 3, 1e-5);
        assertThat(r.maxError()).isLessThan(1e-6);
    }
}
