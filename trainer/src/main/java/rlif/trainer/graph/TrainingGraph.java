package rlif.trainer.graph;

import java.util.ArrayList;
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
 * head on its logits, and the loss's gradient for every trainable appended by {@link Autodiff}.
 *
 * <p>Inputs: the decoder's {@code input_ids}, {@code attention_mask}, {@code position_ids}; {@code targets}
 * int64 [batch, seq] (the next token at each position); {@code weights} float32 [batch, seq] (0 where no
 * loss is taken); for GRPO also {@code old_logp}, {@code ref_logp} [batch, seq] and {@code advantages}
 * [batch, 1]; and every trainable. Outputs: {@code loss}, {@code token_logp}, {@code token_entropy}
 * [batch, seq], and {@code grad.NAME} per trainable.
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
    private final List<String> trainableNames;

    private TrainingGraph(GraphBuilder graph, List<String> trainableNames) {
        this.graph = graph;
        this.trainableNames = trainableNames;
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
        Value loss = switch (objective) {
            case Sft s -> LossHeads.sftLoss(g, logp, weightsIn);
            case Grpo gr -> {
                Value old = g.input("old_logp", DType.F32, bs);
                Value ref = gr.settings().klCoef() > 0 ? g.input("ref_logp", DType.F32, bs) : null;
                Value adv = g.input("advantages", DType.F32, Shape.of(Dim.sym("batch"), Dim.of(1)));
                yield LossHeads.grpoLoss(g, gr.settings(), logp, old, ref, adv, weightsIn, entropy);
            }
        };
        g.output(LOSS, loss);
        g.output(TOKEN_LOGP, logp);
        g.output(TOKEN_ENTROPY, entropy);
        List<Value> wrt = new ArrayList<>();
        List<String> names = new ArrayList<>(hooks.trainables().params().keySet());
        for (String n : names) {
            wrt.add(g.value(n));
        }
        Map<String, Value> grads = Autodiff.gradients(g, loss, wrt);
        for (String n : names) {
            g.output(GRAD_PREFIX + n, grads.get(n));
        }
        return new TrainingGraph(g, List.copyOf(names));
    }

    public GraphBuilder graph() {
        return graph;
    }

    /** Trainable input names, in the order their gradients are output. */
    public List<String> trainableNames() {
        return trainableNames;
    }
}
