package rlif.trainer.graph;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import rlif.models.arch.DecoderConfig;
import rlif.models.arch.DecoderOptions;
import rlif.models.arch.LinearWeights;
import rlif.models.arch.Decoders;
import rlif.models.arch.WeightSource;
import rlif.models.graph.Dim;
import rlif.models.graph.GraphBuilder;
import rlif.models.graph.GraphException;
import rlif.models.graph.Shape;
import rlif.models.graph.Value;
import rlif.models.tensor.DType;
import rlif.trainer.autodiff.Autodiff;
import rlif.trainer.grpo.GrpoSettings;
import rlif.trainer.objective.LossHeads;
import rlif.trainer.params.TrainableHooks;

/**
 * A training graph: the decoder's full-sequence forward (no KV cache) with trainables as inputs, a loss
 * head on its logits, the statistics a metrics row reports, and the loss's gradient for every trainable
 * appended by {@link Autodiff}.
 *
 * <p>Inputs: the decoder's {@code input_ids}, {@code attention_mask}, {@code position_ids}; {@code targets}
 * int64 [batch, seq] (the next token at each position); {@code weights} float32 [batch, seq] (0 where no
 * loss is taken); for GRPO also {@code old_logp} [batch, seq], {@code advantages} [batch, 1], with
 * {@code beta > 0} {@code ref_logp} [batch, seq] and with an entropy bonus {@code entropy_weights}
 * [batch, seq]; and every trainable. Outputs: {@code loss}, {@code token_logp}, {@code token_entropy}
 * [batch, seq], the {@code stats.*} sums of {@link LossHeads}, and {@code grad.NAME} per trainable.
 */
public final class TrainingGraph {
    public static final String LOSS = "loss";
    public static final String TOKEN_LOGP = "token_logp";
    public static final String TOKEN_ENTROPY = "token_entropy";
    public static final String GRAD_PREFIX = "grad.";

    /** Which loss head to put on the logits. */
    public sealed interface Objective {}

    /** Supervised cross-entropy. */
    public record Sft() implements Objective {}

    /** GRPO at the sampling temperature. */
    public record Grpo(GrpoSettings settings, double temperature) implements Objective {}

    private final GraphBuilder graph;
    private final Map<String, long[]> trainableShapes;
    private final List<String> statistics;

    private TrainingGraph(GraphBuilder graph, Map<String, long[]> trainableShapes, List<String> statistics) {
        this.graph = graph;
        this.trainableShapes = trainableShapes;
        this.statistics = statistics;
    }

    /** Builds the training graph of {@code config} with {@code hooks} deciding what is trainable. */
    public static TrainingGraph build(DecoderConfig config, WeightSource weights, TrainableHooks hooks, Objective objective) {
        // A quantized base (int4/int8 directory) stays quantized and frozen, dequantized in the graph (QLoRA).
        GraphBuilder g = Decoders.build(config, weights, new DecoderOptions(DType.F32, false, hooks,
                LinearWeights.asStored().dequantizedInGraph()));
        Value logits = g.outputs().stream().filter(v -> v.name().equals("logits")).findFirst()
                .orElseThrow(() -> new GraphException("decoder graph has no logits output"));
        Shape bs = Shape.of(Dim.sym("batch"), Dim.sym("seq"));
        Value targets = g.input("targets", DType.I64, bs);
        Value weightsIn = g.input("weights", DType.F32, bs);
        double temperature = objective instanceof Grpo gr ? gr.temperature() : 1.0;
        Value lsm = LossHeads.logSoftmax(g, logits, temperature);
        Value logp = LossHeads.tokenLogprobs(g, lsm, targets);
        Value entropy = LossHeads.tokenEntropy(g, lsm);
        Value loss;
        Map<String, Value> stats;
        switch (objective) {
            case Sft s -> {
                loss = LossHeads.sftLoss(g, logp, weightsIn);
                stats = Map.of(LossHeads.ENTROPY_SUM, LossHeads.entropySum(g, entropy, weightsIn));
            }
            case Grpo gr -> {
                GrpoSettings s = gr.settings();
                Value old = g.input("old_logp", DType.F32, bs);
                Value ref = s.beta() > 0 ? g.input("ref_logp", DType.F32, bs) : null;
                Value adv = g.input("advantages", DType.F32, Shape.of(Dim.sym("batch"), Dim.of(1)));
                Value entropyWeights = s.entropyCoef() > 0 ? g.input("entropy_weights", DType.F32, bs) : null;
                loss = LossHeads.grpoLoss(g, s, logp, old, ref, adv, weightsIn, entropy, entropyWeights);
                stats = LossHeads.grpoStatistics(g, s, logp, old, ref, adv, weightsIn, entropy);
            }
        }
        g.output(LOSS, loss);
        g.output(TOKEN_LOGP, logp);
        g.output(TOKEN_ENTROPY, entropy);
        stats.forEach(g::output);
        Map<String, long[]> shapes = new LinkedHashMap<>();
        hooks.trainables().params().forEach((k, p) -> shapes.put(k, p.shape()));
        List<Value> wrt = new ArrayList<>();
        for (String n : shapes.keySet()) {
            wrt.add(g.value(n));
        }
        Map<String, Value> grads = Autodiff.gradients(g, loss, wrt);
        for (String n : shapes.keySet()) {
            g.output(GRAD_PREFIX + n, grads.get(n));
        }
        return new TrainingGraph(g, shapes, List.copyOf(stats.keySet()));
    }

    public GraphBuilder graph() {
        return graph;
    }

    /** Trainable input names, in the order their gradients are output. */
    public List<String> trainableNames() {
        return List.copyOf(trainableShapes.keySet());
    }

    /** The shape of each trainable input. */
    public Map<String, long[]> trainableShapes() {
        return trainableShapes;
    }

    /** Names of the {@code stats.*} outputs. */
    public List<String> statistics() {
        return statistics;
    }
}
