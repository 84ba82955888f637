package rlif.models.arch;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import rlif.models.graph.Attr;
import rlif.models.graph.Dim;
import rlif.models.graph.GraphBuilder;
import rlif.models.graph.Shape;
import rlif.models.graph.Value;
import rlif.models.tensor.DType;
import rlif.models.tensor.Tensor;

/**
 * The decoder's interface in Optimum naming and what every layer shares: inputs, the additive attention
 * mask, the KV cache, the attention core, norms and activations.
 *
 * <p>Inputs: {@code input_ids} int64 [batch, seq], {@code attention_mask} int64 [batch, past_seq+seq],
 * {@code position_ids} int64 [batch, seq] (from the caller, so left-padded rows count from their first real
 * token), {@code past_key_values.N.key/value} [batch, kv_heads, past_seq, head_dim]. Outputs: {@code logits}
 * float32 [batch, seq, vocab], {@code present.N.key/value} [batch, kv_heads, past_seq+seq, head_dim].
 */
final class DecoderParts {
    /** Added to scores of masked keys: finite, so fully masked (padding) rows stay finite instead of NaN. */
    static final double MASKED = -1e9;

    final GraphBuilder g;
    final DType dtype;
    final boolean kvCache;
    final Value inputIds;
    final Value attentionMask;
    final Value positionIds;
    /** float32 [batch, 1, seq, total]: 0 where a query may attend to a key, {@link #MASKED} elsewhere. */
    final Value maskAdd;
    private final Dim past;
    private Value queryPos;
    private Value keyPos;
    private Value allowed;
    private Value windowMaskAdd;
    private int windowMaskSize;
    /** {@link #groupQueryAttention}'s shared inputs, built by the first layer that asks. */
    private Value gqaTotal;
    private Value gqaSeqlens;
    private Value rotaryCos;
    private Value rotarySin;

    DecoderParts(GraphBuilder g, DType dtype, boolean kvCache) {
        this.g = g;
        this.dtype = dtype;
        this.kvCache = kvCache;
        Dim batch = Dim.sym("batch");
        Dim seq = Dim.sym("seq");
        this.past = Dim.sym("past_seq");
        Dim total = kvCache ? past.plus(seq) : seq;
        inputIds = g.input("input_ids", DType.I64, Shape.of(batch, seq));
        attentionMask = g.input("attention_mask", DType.I64, Shape.of(batch, total));
        positionIds = g.input("position_ids", DType.I64, Shape.of(batch, seq));
        try (var s = g.scope("mask")) {
            maskAdd = buildMask(total, seq);
        }
    }

    /**
     * Query i (absolute index past+i) may see key j when j <= past+i and the key is not padding. Built from
     * run-time lengths: T from attention_mask, s from input_ids.
     */
    private Value buildMask(Dim total, Dim seq) {
        Value t = g.squeeze(g.shape(attentionMask, 1, 2), 0);
        Value s = g.squeeze(g.shape(inputIds, 1, 2), 0);
        Value one = g.int64(1);
        queryPos = g.range(g.sub(t, s), t, one, seq);
        keyPos = g.range(g.int64(0), t, one, total);
        Value causal = g.lessOrEqual(g.unsqueeze(keyPos, 0), g.unsqueeze(queryPos, 1)); // [seq, total]
        Value notPad = g.unsqueeze(g.cast(attentionMask, DType.BOOL), 1, 2); // [batch, 1, 1, total]
        allowed = g.and(g.unsqueeze(causal, 0, 1), notPad); // [batch, 1, seq, total]
        return g.where(allowed, g.scalar(0, DType.F32), g.scalar(MASKED, DType.F32));
    }

    /**
     * {@link #maskAdd} narrowed to a sliding window: query i (absolute index) also needs key j > i - size. Indices,
     * not position ids, as in transformers; with left padding the real tokens are contiguous, so for every real
     * key the index distance equals the position distance and a padded row sees what it would see alone.
     * Built once per graph (every windowed layer shares one size).
     */
    Value windowMaskAdd(int size) {
        if (windowMaskAdd != null) {
            if (size != windowMaskSize) {
                throw new IllegalArgumentException("one sliding window size per graph, got " + windowMaskSize + " and " + size);
            }
            return windowMaskAdd;
        }
        try (var s = g.scope("window_mask")) {
            Value lowest = g.sub(queryPos, g.int64(size)); // [seq]: keys at or below this index are out of the window
            Value inWindow = g.greater(g.unsqueeze(keyPos, 0), g.unsqueeze(lowest, 1)); // [seq, total]
            Value windowed = g.and(allowed, g.unsqueeze(inWindow, 0, 1));
            windowMaskAdd = g.where(windowed, g.scalar(0, DType.F32), g.scalar(MASKED, DType.F32));
            windowMaskSize = size;
        }
        return windowMaskAdd;
    }

    /** Appends this step's keys/values to the cache (declaring past inputs and present outputs); returns the full K and V. */
    Value[] cache(int layer, Value k, Value v, int kvHeads, int headDim) {
        if (!kvCache) {
            return new Value[] {k, v};
        }
        Shape pastShape = Shape.of(Dim.sym("batch"), Dim.of(kvHeads), past, Dim.of(headDim));
        Value pk = g.input("past_key_values." + layer + ".key", dtype, pastShape);
        Value pv = g.input("past_key_values." + layer + ".value", dtype, pastShape);
        Value kAll = g.output("present." + layer + ".key", g.concat(2, pk, k));
        Value vAll = g.output("present." + layer + ".value", g.concat(2, pv, v));
        return new Value[] {kAll, vAll};
    }

    /**
     * Scaled dot-product attention with grouped KV heads. q [batch, heads, seq, d] (already scaled),
     * k/v [batch, kv, total, d]; returns [batch, seq, heads*d]. Query heads are grouped onto their KV head by a
     * reshape ([b, kv, rep*seq, d]) instead of repeating K and V, so no run-time shapes are needed. {@code mask}
     * is {@link #maskAdd} or a {@link #windowMaskAdd}.
     */
    Value attention(Value q, Value k, Value v, int heads, int kvHeads, int headDim, Value mask) {
        int rep = heads / kvHeads;
        Value qg = rep == 1 ? q : g.reshape(q, 0, kvHeads, -1, headDim);
        Value scores = g.matMul(qg, g.transpose(k, 0, 1, 3, 2));
        if (dtype != DType.F32) {
            scores = g.cast(scores, DType.F32);
        }
        if (rep != 1) {
            scores = g.reshape(scores, 0, heads, -1, 0);
        }
        Value probs = g.softmax(g.add(scores, mask), -1);
        if (dtype != DType.F32) {
            probs = g.cast(probs, dtype);
        }
        Value pg = rep == 1 ? probs : g.reshape(probs, 0, kvHeads, -1, 0);
        Value ctx = g.matMul(pg, v);
        if (rep != 1) {
            ctx = g.reshape(ctx, 0, heads, -1, headDim);
        }
        return g.reshape(g.transpose(ctx, 0, 2, 1, 3), 0, 0, (long) heads * headDim);
    }

    /**
     * Attention of one layer as ONNX Runtime's fused {@code com.microsoft.GroupQueryAttention}, rotary embeddings
     * applied first by {@code com.microsoft.RotaryEmbedding}; declares the layer's past inputs and present outputs as
     * {@link #cache} does. q [batch, seq, heads*d], k and v [batch, seq, kv*d], not yet rotated; returns
     * [batch, seq, heads*d].
     *
     * <p>The operator assumes right padding: a row's keys are its first {@code seqlens_k + 1} cache columns, its new
     * keys go after {@code seqlens_k + 1 - seq} of them, and with {@code do_rotary} its rotary positions count from
     * there too. rlif left-pads (and teacher-forced runs pad after a row's end), so every row is given the full width
     * ({@code seqlens_k = total - 1}: the cache is the concatenation {@link #cache} builds) and padding is masked by
     * {@code mask} passed as the operator's {@code attention_bias} ({@link #maskAdd} or a {@link #windowMaskAdd});
     * rotation is done outside with the caller's {@code position_ids}, because the operator's own rotation ignores
     * them after the first run. Exact for every padding pattern (GroupQueryAttentionTest). ONNX Runtime refuses several
     * new tokens on top of a cache for more than one row, and head sizes that are not a multiple of 16.
     */
    Value groupQueryAttention(int layer, Value q, Value k, Value v, int heads, int kvHeads, int headDim, Value mask,
            float[] inverseFrequencies) {
        if (!kvCache || dtype != DType.F32) {
            throw new IllegalArgumentException("GroupQueryAttention is built for the float32 decoder with a KV cache");
        }
        if (gqaTotal == null) {
            try (var s = g.scope("group_query_attention")) {
                sharedAttentionInputs(inverseFrequencies);
            }
        }
        Value qr = rotary(q, heads);
        Value kr = rotary(k, kvHeads);
        Shape pastShape = Shape.of(Dim.sym("batch"), Dim.of(kvHeads), past, Dim.of(headDim));
        Value pk = g.input("past_key_values." + layer + ".key", dtype, pastShape);
        Value pv = g.input("past_key_values." + layer + ".value", dtype, pastShape);
        Shape presentShape = Shape.of(Dim.sym("batch"), Dim.of(kvHeads), attentionMask.dim(1), Dim.of(headDim));
        Map<String, Attr> at = new LinkedHashMap<>();
        at.put("num_heads", new Attr.Int(heads));
        at.put("kv_num_heads", new Attr.Int(kvHeads));
        at.put("scale", new Attr.Float((float) (1 / Math.sqrt(headDim))));
        at.put("do_rotary", new Attr.Int(0));
        List<Value> outs = g.opNamed(GraphBuilder.MS_DOMAIN, "GroupQueryAttention",
                List.of(qr, kr, v, pk, pv, gqaSeqlens, gqaTotal, rotaryCos, rotarySin, positionIds, mask), at,
                List.of(new Value(g.freshName("attention"), dtype, q.shape()),
                        new Value("present." + layer + ".key", dtype, presentShape),
                        new Value("present." + layer + ".value", dtype, presentShape)));
        g.output("present." + layer + ".key", outs.get(1));
        g.output("present." + layer + ".value", outs.get(2));
        return outs.get(0);
    }

    /** {@code total_sequence_length}, {@code seqlens_k = total - 1} for every row, and the rotary tables [total, d/2]. */
    private void sharedAttentionInputs(float[] inverseFrequencies) {
        Value t = g.squeeze(g.shape(attentionMask, 1, 2), 0);
        gqaTotal = g.cast(t, DType.I32);
        Value rows = g.shape(inputIds, 0, 1);
        gqaSeqlens = g.cast(g.expand(g.sub(t, g.int64(1)), rows, Shape.of(Dim.sym("batch"))), DType.I32);
        Value invFreq = g.constant(Tensor.ofFloats("inv_freq", new long[] {inverseFrequencies.length}, inverseFrequencies));
        Value angles = g.mul(g.unsqueeze(g.cast(keyPos, DType.F32), -1), invFreq); // [total, d/2]
        rotaryCos = g.cos(angles);
        rotarySin = g.sin(angles);
    }

    /** Rotary embedding of [batch, seq, heads*d] at {@link #positionIds}, halves convention (Hugging Face's). */
    private Value rotary(Value x, int heads) {
        Map<String, Attr> at = new LinkedHashMap<>();
        at.put("num_heads", new Attr.Int(heads));
        at.put("interleaved", new Attr.Int(0));
        return g.op(GraphBuilder.MS_DOMAIN, "RotaryEmbedding", List.of(x, positionIds, rotaryCos, rotarySin), at,
                List.of(new Value("r", x.dtype(), x.shape()))).getFirst();
    }

    /** Splits [batch, seq, heads*d] into [batch, seq, heads, d]. */
    Value splitHeads(Value x, int heads, int headDim) {
        return g.reshape(x, 0, 0, heads, headDim);
    }

    // The norm and GELU expansions below follow the exact node patterns ONNX Runtime's graph optimiser fuses
    // (SimplifiedLayerNormalization, LayerNormalization, Gelu, FastGelu; SiLU becomes QuickGelu) in float32:
    // Pow/Div rather than Mul/Reciprocal, epsilon as the Add's second input, 0.5 * x as its own Mul.

    /** Root-mean-square norm over the last axis: normalised in float32, then cast and scaled by {@code weight}. */
    Value rmsNorm(Value x, Value weight, double eps) {
        Value x32 = toF32(x);
        Value meanSq = g.reduceMean(g.pow(x32, g.scalar(2, DType.F32)), true, -1);
        Value normed = g.div(x32, g.sqrt(g.add(meanSq, g.scalar(eps, DType.F32))));
        return g.mul(fromF32(normed), weight);
    }

    /** LayerNorm over the last axis: standardised in float32, then cast, scaled and shifted. */
    Value layerNorm(Value x, Value weight, Value bias, double eps) {
        Value x32 = toF32(x);
        Value centred = g.sub(x32, g.reduceMean(x32, true, -1));
        Value var = g.reduceMean(g.pow(centred, g.scalar(2, DType.F32)), true, -1);
        Value normed = g.div(centred, g.sqrt(g.add(var, g.scalar(eps, DType.F32))));
        return g.add(g.mul(fromF32(normed), weight), bias);
    }

    /** SiLU: x * sigmoid(x). */
    Value silu(Value x) {
        return g.mul(x, g.sigmoid(x));
    }

    /** GELU: the tanh approximation ({@code gelu_new}) or the exact erf form (opset 17 has no Gelu op). */
    Value gelu(Value x, boolean tanhApprox) {
        DType t = x.dtype();
        Value halfX = g.mul(x, g.scalar(0.5, t));
        Value one = g.scalar(1, t);
        if (tanhApprox) {
            Value cubic = g.add(x, g.mul(g.pow(x, g.scalar(3, t)), g.scalar(0.044715, t)));
            return g.mul(halfX, g.add(g.tanh(g.mul(cubic, g.scalar(Math.sqrt(2 / Math.PI), t))), one));
        }
        return g.mul(halfX, g.add(g.erf(g.div(x, g.scalar(Math.sqrt(2), t))), one));
    }

    /** Final logits as float32 [batch, seq, vocab]. */
    void logits(Value logits) {
        g.output("logits", toF32(logits));
    }

    Value toF32(Value x) {
        return x.dtype() == DType.F32 ? x : g.cast(x, DType.F32);
    }

    Value fromF32(Value x) {
        return dtype == DType.F32 ? x : g.cast(x, dtype);
    }
}
