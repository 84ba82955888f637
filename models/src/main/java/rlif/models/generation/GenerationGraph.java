package rlif.models.generation;

import ai.onnx.proto.OnnxMl;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import rlif.models.BadInputException;
import rlif.models.dir.CacheLayout;
import rlif.models.dir.DecoderIo;
import rlif.models.dir.ModelConfig;
import rlif.models.dir.ModelDirectory;
import rlif.models.dir.OnnxModelFile;
import rlif.models.dir.TensorSpec;
import rlif.models.graph.Dim;
import rlif.models.graph.GraphBuilder;
import rlif.models.graph.GraphSignals;
import rlif.models.graph.Shape;
import rlif.models.graph.Value;
import rlif.models.tensor.DType;
import rlif.models.tensor.Tensor;
import rlif.models.tensor.Tensors;

/**
 * The whole generation of a batch as one ONNX graph: an ONNX {@code Loop} around a model directory's own decoder,
 * so one {@code OrtSession.run} goes from left-padded prompt ids to every generated token and its signals. The key/value
 * cache, the attention mask, the position ids, the finished mask and each row's random state are loop-carried
 * and never leave ONNX Runtime; only int64 token ids and float32 signals, each {@code [steps, batch]}, come back.
 *
 * <p>Iteration {@code t} runs the decoder once (the prompt at {@code t = 0}, the previous token after), reduces the
 * last position's logits to the signals of docs/signals.md ({@link GraphSignals}), draws token {@code t}
 * ({@link TokenDraw}, {@link RowRandom}) and carries the new state; rows that emitted an eos token or met non-finite
 * logits are finished, later tokens of theirs are the padding id, and the loop stops when every row is finished or
 * after {@code max_new_tokens} iterations. So {@code N} tokens cost one prefill and {@code N - 1} decode steps, as
 * with the step engine.
 *
 * <p>The decoder's nodes are spliced into the loop body unchanged ({@link DecoderSplice}), its weights stay
 * initializers of the outer graph (external data keeps pointing into the model directory), so this works for every
 * decoder rlif can open: built here, imported, or exported by ORT-GenAI or Optimum, contrib ops included. When the
 * logits come from a {@code MatMul} by a weight matrix, the prefill computes them for the last position only
 * ({@link LastPositionHead}), so no {@code [batch, prompt, vocab]} block exists either.
 *
 * <p>Interface. Inputs: {@value #PROMPT_IDS}, {@value #PROMPT_MASK} and (when the decoder takes them)
 * {@value #PROMPT_POSITIONS}, {@code [batch, prompt]} of the decoder's id type, left-padded as the step engine pads;
 * {@value #MAX_NEW_TOKENS} int64 scalar; {@value #TEMPERATURE} float32 scalar (the signal temperature, which is the
 * sampling temperature); {@value #TOP_K} int64 scalar ({@code 0}: draw from the whole distribution; else the number
 * of best candidates, {@code 1} for greedy); {@value #TOP_P} float32 scalar; {@value #RNG_STATE} int64
 * {@code [batch, 2]} ({@link RowRandom#initialState}); and any further decoder inputs the caller feeds (the
 * trainer's weights), under their own names. Outputs, each {@code [steps, batch]}: {@value #TOKENS} int64, then
 * {@link GraphSignals#OUTPUTS} float32.
 */
public final class GenerationGraph {
    public static final String PROMPT_IDS = "prompt_ids";
    public static final String PROMPT_MASK = "prompt_mask";
    public static final String PROMPT_POSITIONS = "prompt_positions";
    public static final String MAX_NEW_TOKENS = "max_new_tokens";
    public static final String TEMPERATURE = "temperature";
    public static final String TOP_K = "top_k";
    public static final String TOP_P = "top_p";
    public static final String RNG_STATE = "rng_state";
    public static final String TOKENS = "tokens";
    /** Every output: {@value #TOKENS}, then the per-step signals. */
    public static final List<String> OUTPUTS = List.of(TOKENS, GraphSignals.OUTPUTS.get(0), GraphSignals.OUTPUTS.get(1),
            GraphSignals.OUTPUTS.get(2), GraphSignals.OUTPUTS.get(3));

    /** Names of the values this class adds start with this, so they cannot meet the decoder's own. */
    static final String PREFIX = "rlif";
    /** The op type of the node {@link DecoderSplice} replaces by the decoder. */
    static final String DECODER_STEP = "RlifDecoderStep";

    private GenerationGraph() {}

    /** Builds the generation graph of {@code model}'s decoder; a decoder that cannot be wrapped is bad input. */
    public static GenerationModel build(ModelDirectory model) {
        ModelConfig config = model.config();
        DecoderIo io = model.io();
        OnnxMl.ModelProto decoder = OnnxModelFile.parse(config.decoderFile());
        List<TensorSpec> callerInputs = callerInputs(model);
        GraphBuilder g = new Builder(config, io, callerInputs).build();
        DecoderSplice.Result spliced = DecoderSplice.splice(g.toModel(), decoder, io, config.decoderFile().toString());
        return new GenerationModel(spliced.model(), spliced.lastPositionOnly(),
                callerInputs.stream().map(TensorSpec::name).toList());
    }

    /** Decoder inputs that are neither ids, mask, positions, cache flag nor cache: fed by the caller on every run. */
    private static List<TensorSpec> callerInputs(ModelDirectory model) {
        DecoderIo io = model.io();
        List<String> known = new ArrayList<>(io.pastInputs());
        known.add(io.inputIds());
        known.add(io.attentionMask());
        io.positionIds().ifPresent(known::add);
        io.useCacheBranch().ifPresent(known::add);
        List<TensorSpec> out = new ArrayList<>();
        for (TensorSpec s : model.onnx().inputs()) {
            if (!known.contains(s.name())) {
                if (s.dtype() == null) {
                    throw new BadInputException("ONNX file " + model.config().decoderFile() + ": input " + s
                            + " has a type the generation graph cannot declare");
                }
                out.add(s);
            }
        }
        return out;
    }

    /** Builds the outer graph and the loop body, with a {@value #DECODER_STEP} node where the decoder goes. */
    private static final class Builder {
        private final ModelConfig config;
        private final DecoderIo io;
        private final List<TensorSpec> callerInputs;
        private final GraphBuilder g = new GraphBuilder("rlif_generation");
        private final Dim batch = Dim.sym("batch");
        private final DType idType;
        private final CacheLayout layout;

        Builder(ModelConfig config, DecoderIo io, List<TensorSpec> callerInputs) {
            this.config = config;
            this.io = io;
            this.callerInputs = callerInputs;
            this.idType = config.inputIdType();
            this.layout = io.cacheLayout();
        }

        GraphBuilder build() {
            Shape prompt = Shape.of(batch, Dim.sym("prompt"));
            Value ids = g.input(PROMPT_IDS, idType, prompt);
            Value mask = g.input(PROMPT_MASK, idType, prompt);
            Value positions = io.positionIds().isPresent() ? g.input(PROMPT_POSITIONS, idType, prompt) : null;
            Value maxNew = g.input(MAX_NEW_TOKENS, DType.I64, Shape.scalar());
            Value temperature = g.input(TEMPERATURE, DType.F64, Shape.scalar());
            Value topK = g.input(TOP_K, DType.I64, Shape.scalar());
            Value topP = g.input(TOP_P, DType.F64, Shape.scalar());
            Value rng = g.input(RNG_STATE, DType.I64, Shape.of(batch, Dim.of(2)));
            for (TensorSpec s : callerInputs) {
                g.input(s.name(), s.dtype(), shapeOf(s));
            }
            List<Value> scans;
            try (var s = g.scope(PREFIX)) {
                Value full = g.equal(topK, g.int64(0));
                Value k = g.reshape(g.min(g.where(full, g.int64(1), topK), g.int64(config.vocab())), 1);
                Value batchSize = g.shape(ids, 0, 1);
                Value finished = g.constantOfShape(batchSize, boolTensor(false), Shape.of(batch));
                List<Value> carried = new ArrayList<>(List.of(ids, mask));
                if (positions != null) {
                    carried.add(positions);
                }
                carried.add(finished);
                carried.add(rng);
                for (int i = 0; i < io.pastInputs().size(); i++) {
                    carried.add(emptyCache(batchSize));
                }
                GraphBuilder body = g.subgraph("rlif_generation_step");
                new Step(body, temperature, full, k, topP).build(carried);
                List<Value> outs = g.loop(maxNew, g.constant(boolScalar(true)), carried, body,
                        Dim.sym("steps"));
                scans = outs.subList(carried.size(), outs.size());
            }
            for (int i = 0; i < OUTPUTS.size(); i++) {
                g.output(OUTPUTS.get(i), scans.get(i));
            }
            return g;
        }

        /** A cache tensor of no positions: what the prefill at iteration 0 sees. */
        private Value emptyCache(Value batchSize) {
            Value length = g.ints(0);
            Value heads = g.ints(config.kvHeads());
            Value size = g.ints(config.headSize());
            Value shape = layout == CacheLayout.STACKED
                    ? g.concat(0, g.ints(2), batchSize, heads, length, size)
                    : g.concat(0, batchSize, heads, length, size);
            return g.constantOfShape(shape, Tensors.ofFloats("v", new long[] {1}, new float[] {0}, config.kvType()),
                    cacheShape(Dim.UNKNOWN));
        }

        private Shape cacheShape(Dim seq) {
            Dim heads = Dim.of(config.kvHeads());
            Dim size = Dim.of(config.headSize());
            return layout == CacheLayout.STACKED ? Shape.of(Dim.of(2), batch, heads, seq, size)
                    : Shape.of(batch, heads, seq, size);
        }

        /** The loop body: one decoder run, the signals and the draw of one token per row. */
        private final class Step {
            private final GraphBuilder b;
            private final Value temperature;
            private final Value full;
            private final Value k;
            private final Value topP;

            Step(GraphBuilder b, Value temperature, Value full, Value k, Value topP) {
                this.b = b;
                this.temperature = temperature;
                this.full = full;
                this.k = k;
                this.topP = topP;
            }

            void build(List<Value> init) {
                Shape columns = Shape.of(batch, Dim.UNKNOWN);
                Value iter = b.input(PREFIX + "/iter", DType.I64, Shape.scalar());
                b.input(PREFIX + "/cond", DType.BOOL, Shape.scalar());
                Value ids = b.input(PREFIX + "/ids", idType, columns);
                Value mask = b.input(PREFIX + "/mask", idType, columns);
                Value positions = io.positionIds().isPresent() ? b.input(PREFIX + "/positions", idType, columns) : null;
                Value finished = b.input(PREFIX + "/finished", DType.BOOL, Shape.of(batch));
                Value rng = b.input(PREFIX + "/rng", DType.I64, Shape.of(batch, Dim.of(2)));
                List<Value> caches = new ArrayList<>();
                for (int i = 0; i < io.pastInputs().size(); i++) {
                    caches.add(b.input(PREFIX + "/cache." + i, config.kvType(), cacheShape(Dim.UNKNOWN)));
                }
                List<Value> outs = new ArrayList<>();
                List<Value> scans;
                try (var s = b.scope(PREFIX)) {
                    List<Value> stepIn = new ArrayList<>(List.of(ids, mask));
                    if (positions != null) {
                        stepIn.add(positions);
                    }
                    if (io.useCacheBranch().isPresent()) {
                        stepIn.add(b.greater(iter, b.int64(0)));
                    }
                    stepIn.addAll(caches);
                    List<Value> stepOut = decoderStep(stepIn);
                    Value logits = b.gather(stepOut.getFirst(), b.int64(-1), 1); // [batch, vocab]: the last position

                    // The draw reads a float64 log-softmax (float32 LogSoftmax over a 49152-wide row is off by ~2e-5,
                    // SmolLM2); the signals are GraphSignals' one-pass reduction, the rule teacher forcing uses too.
                    Value wide = b.cast(logits, DType.F64);
                    Value logp = GraphSignals.logSoftmax(b, GraphSignals.scaled(b, wide, temperature));
                    Value probs = b.exp(logp);
                    RowRandom.Step draw = RowRandom.next(b, rng);
                    Value token = TokenDraw.draw(b, logp, probs, draw.u(), full, k, topP);
                    GraphSignals.PerPosition signals = GraphSignals.of(b, wide, temperature, token);
                    Value logsumexp = signals.logsumexp();
                    Value entropy = signals.entropy();
                    Value certainty = signals.selfCertainty();
                    Value logprob = signals.tokenLogprob();

                    // x - x is 0 exactly when x is finite: NaN and infinities end the row (the step engine's non_finite).
                    Value finite = b.equal(b.sub(logsumexp, logsumexp), b.scalar(0, DType.F64));
                    Value dead = b.or(finished, b.not(finite));
                    Value emitted = b.where(dead, b.int64(config.paddingId()), token);
                    Value nowFinished = b.or(dead, isEos(token));
                    Value anyLeft = b.greater(b.reduceSum(b.cast(b.not(nowFinished), DType.F32), false, 0),
                            b.scalar(0, DType.F32));

                    Value next = b.unsqueeze(b.cast(emitted, idType), 1);
                    Value ones = b.expand(b.cast(b.int64(1), idType), b.concat(0, b.shape(ids, 0, 1), b.ints(1)),
                            Shape.of(batch, Dim.of(1)));
                    outs.add(anyLeft);
                    outs.add(next);
                    outs.add(b.concat(1, mask, ones));
                    if (positions != null) {
                        outs.add(b.add(b.slice(positions, 1, -1, Long.MAX_VALUE), b.cast(b.int64(1), idType)));
                    }
                    outs.add(nowFinished);
                    outs.add(draw.state());
                    // The decoder's own present outputs, one column longer: measured faster than a preallocated
                    // buffer written in place (docs/rollout-engine.md), since the decoder concatenates either way.
                    outs.addAll(stepOut.subList(1, stepOut.size()));
                    scans = List.of(emitted, logsumexp, entropy, certainty, logprob);
                }
                for (Value o : outs) {
                    b.output(o.name(), o);
                }
                for (Value o : scans) {
                    b.output(o.name(), o);
                }
            }

            /** The node {@link DecoderSplice} replaces: decoder inputs in, logits and present cache out. */
            private List<Value> decoderStep(List<Value> in) {
                List<Value> types = new ArrayList<>();
                types.add(new Value("logits", config.logitsType(), Shape.of(batch, Dim.UNKNOWN, Dim.of(config.vocab()))));
                for (int i = 0; i < io.presentOutputs().size(); i++) {
                    types.add(new Value("present", config.kvType(), cacheShape(Dim.UNKNOWN)));
                }
                return b.op(DECODER_STEP, in, Map.of(), types);
            }

            /** Whether each token is one of the model's eos ids (false for all when it has none). */
            private Value isEos(Value token) {
                if (config.eosIds().isEmpty()) {
                    return b.less(token, b.int64(0));
                }
                long[] eos = config.eosIds().stream().mapToLong(Integer::longValue).sorted().toArray();
                Value hits = b.cast(b.equal(b.unsqueeze(token, 1), b.ints(eos)), DType.F32);
                return b.greater(b.reduceSum(hits, false, 1), b.scalar(0, DType.F32));
            }
        }
    }

    private static Shape shapeOf(TensorSpec s) {
        List<Dim> dims = new ArrayList<>();
        for (long d : s.dims()) {
            dims.add(d >= 0 ? Dim.of(d) : Dim.UNKNOWN);
        }
        return new Shape(dims);
    }

    /** A one-element bool tensor, as {@code ConstantOfShape} takes its fill value. */
    private static Tensor boolTensor(boolean v) {
        return new Tensor("v", DType.BOOL, new long[] {1}, ByteBuffer.wrap(new byte[] {(byte) (v ? 1 : 0)}));
    }

    private static Tensor boolScalar(boolean v) {
        return new Tensor("v", DType.BOOL, new long[0], ByteBuffer.wrap(new byte[] {(byte) (v ? 1 : 0)}));
    }
}
