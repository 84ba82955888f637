package rlif.trainer.params;

import java.util.LinkedHashSet;
import java.util.Random;
import java.util.Set;
import rlif.models.BadInputException;
import rlif.models.arch.LayerHooks;
import rlif.models.arch.LinearWeight;
import rlif.models.graph.GraphBuilder;
import rlif.models.graph.Shape;
import rlif.models.graph.Value;
import rlif.models.tensor.DType;
import rlif.models.tensor.Tensor;

/**
 * The trainer's {@link LayerHooks}: with {@code full}, every weight becomes a graph input (initial value
 * from the checkpoint); with LoRA, weights stay initializers and each targeted linear gets
 * {@code + scale * (x A) B} with A and B as graph inputs. The same hooks build the training graph and the
 * rollout decoder, so both read the same {@link Trainables} and the policy is never re-exported per step.
 *
 * <p>LoRA init follows PEFT: A uniform in {@code +-1/sqrt(in)} (Kaiming-uniform with a = sqrt 5), B zero,
 * so training starts exactly at the base model. Seeded, so runs are reproducible.
 */
public final class TrainableHooks implements LayerHooks {
    private final boolean full;
    private final LoraSpec lora;
    private final Trainables trainables;
    private final Random random;
    private final Set<String> adapted = new LinkedHashSet<>();

    private TrainableHooks(boolean full, LoraSpec lora, Trainables trainables, long seed) {
        this.full = full;
        this.lora = lora;
        this.trainables = trainables;
        this.random = new Random(seed);
    }

    /** Every weight trainable. */
    public static TrainableHooks full(Trainables trainables) {
        return new TrainableHooks(true, null, trainables, 0);
    }

    /** LoRA adapters on the targeted linears, initialised from {@code seed}. */
    public static TrainableHooks lora(LoraSpec spec, Trainables trainables, long seed) {
        return new TrainableHooks(false, spec, trainables, seed);
    }

    public Trainables trainables() {
        return trainables;
    }

    /** Modules that received an adapter in the graphs built so far. */
    public Set<String> adaptedModules() {
        return Set.copyOf(adapted);
    }

    @Override
    public Value parameter(GraphBuilder g, String onnxName, String hfName, Tensor t) {
        if (!full) {
            return g.initializer(onnxName, t);
        }
        if (t.dtype() != DType.F32) {
            throw new IllegalArgumentException("full training needs float32 weights; " + hfName + " is " + t.dtype());
        }
        trainables.register(onnxName, t.shape(), t.toFloats());
        return g.input(onnxName, DType.F32, Shape.of(t.shape()));
    }

    @Override
    public Value linear(GraphBuilder g, String module, Value x, Value w, Value bias) {
        Value y = g.linear(x, w, bias);
        if (full || !lora.targets(module)) {
            return y;
        }
        if (w.dtype() != DType.F32 || !w.shape().isStatic()) {
            throw new IllegalArgumentException("LoRA needs a float32 weight of static shape at " + module + ", got " + w);
        }
        return g.add(y, loraDelta(g, module, x, w.shape().sizes()[0], w.shape().sizes()[1]));
    }

    /**
     * A quantized base weight stays frozen and quantized (QLoRA): its product comes from the weight itself
     * ({@code MatMulNBits} in a decoder, an in-graph dequantization in a training graph) and LoRA adds its term.
     */
    @Override
    public Value linear(GraphBuilder g, String module, Value x, LinearWeight w, Value bias) {
        if (w instanceof LinearWeight.Dense d) {
            return linear(g, module, x, d.w(), bias);
        }
        if (full) {
            throw new BadInputException("full training needs float weights, but " + module
                    + " is quantized; train LoRA adapters on a quantized base (QLoRA), or import it as fp32");
        }
        Value y = LayerHooks.super.linear(g, module, x, w, bias);
        return lora.targets(module) ? g.add(y, loraDelta(g, module, x, w.in(), w.out())) : y;
    }

    /** {@code scale * (x A) B} for {@code module}, registering A and B (PEFT's init) on first use. */
    private Value loraDelta(GraphBuilder g, String module, Value x, long in, long out) {
        int r = lora.rank();
        float[] a = new float[Math.toIntExact(in * r)];
        double bound = 1 / Math.sqrt(in);
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) ((2 * random.nextDouble() - 1) * bound);
        }
        trainables.register(LoraSpec.aName(module), new long[] {in, r}, a);
        trainables.register(LoraSpec.bName(module), new long[] {r, out}, new float[Math.toIntExact(r * out)]);
        adapted.add(module);
        Value av = g.input(LoraSpec.aName(module), DType.F32, Shape.of(in, r));
        Value bv = g.input(LoraSpec.bName(module), DType.F32, Shape.of(r, out));
        Value delta = g.matMul(g.matMul(x, av), bv);
        return g.mul(delta, g.scalar(lora.scale(), DType.F32));
    }
}
