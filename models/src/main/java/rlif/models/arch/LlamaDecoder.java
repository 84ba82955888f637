package rlif.models.arch;

import java.util.Set;
import rlif.models.graph.GraphBuilder;
import rlif.models.graph.Value;
import rlif.models.tensor.DType;
import rlif.models.tensor.Tensor;

/** Builds the llama-family decoder graph (Llama, Mistral, SmolLM, Qwen2 biases, Qwen3 q/k norms) from Hugging Face weights. */
final class LlamaDecoder {
    private final LlamaConfig c;
    private final GraphBuilder g;
    private final DecoderParts io;
    private final CheckedWeights w;
    private final LayerHooks hooks;
    /** Attention as {@code GroupQueryAttention}: asked for, and the head size is one ONNX Runtime's kernel takes. */
    private final boolean fused;

    private LlamaDecoder(LlamaConfig c, WeightSource source, DecoderOptions o) {
        this.c = c;
        this.fused = o.groupQueryAttention() && fusable(c);
        this.g = new GraphBuilder(c.modelType() + "_decoder");
        this.io = new DecoderParts(g, o.dtype(), o.kvCache());
        this.w = new CheckedWeights(source, g, o);
        this.hooks = o.hooks();
    }

    static GraphBuilder build(LlamaConfig c, WeightSource source, DecoderOptions o) {
        return new LlamaDecoder(c, source, o).build();
    }

    /** ONNX Runtime's CPU {@code GroupQueryAttention} refuses head sizes that are not a multiple of 16. */
    static boolean fusable(LlamaConfig c) {
        return c.headDim() % 16 == 0;
    }

    private GraphBuilder build() {
        long hidden = c.hiddenSize();
        Value embed = w.get("model.embed_tokens.weight", false, c.vocabSize(), hidden);
        Value h = g.gather(embed, io.inputIds, 0);
        Value[] cosSin = null;
        if (!fused) {
            try (var s = g.scope("rotary")) {
                cosSin = rotaryTables();
            }
        }
        for (int layer = 0; layer < c.numLayers(); layer++) {
            try (var s = g.scope("layers." + layer)) {
                h = block(layer, h, cosSin);
            }
        }
        h = io.rmsNorm(h, w.get("model.norm.weight", false, hidden), c.rmsNormEps());
        LinearWeight head = c.tieWordEmbeddings()
                ? w.tiedHead("model.embed_tokens.weight", embed, c.vocabSize(), hidden)
                : w.head("lm_head.weight", c.vocabSize(), hidden);
        io.logits(hooks.linear(g, "lm_head", h, head, null));
        w.requireAllUsed(c.tieWordEmbeddings() ? Set.of("rotary_emb.inv_freq", "lm_head.weight") : Set.of("rotary_emb.inv_freq"));
        return g;
    }

    /** The config's inverse rotary frequencies in float32, as the graph multiplies them. */
    private float[] inverseFrequencies() {
        double[] inv = c.inverseFrequencies();
        float[] f = new float[inv.length];
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) inv[i];
        }
        return f;
    }

    /** cos and sin of position * inverse frequency, [batch, 1, seq, head_dim/2] in the model dtype. */
    private Value[] rotaryTables() {
        float[] f = inverseFrequencies();
        Value invFreq = g.constant(Tensor.ofFloats("inv_freq", new long[] {f.length}, f));
        Value freqs = g.mul(g.unsqueeze(g.cast(io.positionIds, DType.F32), -1), invFreq);
        Value cos = io.fromF32(g.unsqueeze(g.cos(freqs), 1));
        Value sin = io.fromF32(g.unsqueeze(g.sin(freqs), 1));
        return new Value[] {cos, sin};
    }

    private Value block(int layer, Value h, Value[] cosSin) {
        String p = "model.layers." + layer + ".";
        long hidden = c.hiddenSize();
        int heads = c.numHeads();
        int kvHeads = c.numKvHeads();
        int d = c.headDim();
        Value x = io.rmsNorm(h, w.get(p + "input_layernorm.weight", false, hidden), c.rmsNormEps());
        Value q = linear(p + "self_attn.q_proj", x, (long) heads * d, hidden, c.qkvBias());
        Value k = linear(p + "self_attn.k_proj", x, (long) kvHeads * d, hidden, c.qkvBias());
        Value v = linear(p + "self_attn.v_proj", x, (long) kvHeads * d, hidden, c.qkvBias());
        SlidingWindow window = c.slidingWindow();
        Value mask = window != null && window.covers(layer) ? io.windowMaskAdd(window.size()) : io.maskAdd;
        Value attn;
        if (fused) {
            if (c.qkNorm()) {
                q = g.reshape(headNorm(io.splitHeads(q, heads, d), p + "self_attn.q_norm.weight"), 0, 0, (long) heads * d);
                k = g.reshape(headNorm(io.splitHeads(k, kvHeads, d), p + "self_attn.k_norm.weight"), 0, 0, (long) kvHeads * d);
            }
            attn = io.groupQueryAttention(layer, q, k, v, heads, kvHeads, d, mask, inverseFrequencies());
        } else {
            q = io.splitHeads(q, heads, d);
            k = io.splitHeads(k, kvHeads, d);
            if (c.qkNorm()) {
                q = headNorm(q, p + "self_attn.q_norm.weight");
                k = headNorm(k, p + "self_attn.k_norm.weight");
            }
            q = rotate(g.transpose(q, 0, 2, 1, 3), cosSin[0], cosSin[1]);
            k = rotate(g.transpose(k, 0, 2, 1, 3), cosSin[0], cosSin[1]);
            v = g.transpose(io.splitHeads(v, kvHeads, d), 0, 2, 1, 3);
            q = g.mul(q, g.scalar(1 / Math.sqrt(d), io.dtype));
            Value[] kv = io.cache(layer, k, v, kvHeads, d);
            attn = io.attention(q, kv[0], kv[1], heads, kvHeads, d, mask);
        }
        h = g.add(h, linear(p + "self_attn.o_proj", attn, hidden, (long) heads * d, c.oBias()));

        x = io.rmsNorm(h, w.get(p + "post_attention_layernorm.weight", false, hidden), c.rmsNormEps());
        long inner = c.intermediateSize();
        Value gate = linear(p + "mlp.gate_proj", x, inner, hidden, c.mlpBias());
        Value up = linear(p + "mlp.up_proj", x, inner, hidden, c.mlpBias());
        return g.add(h, linear(p + "mlp.down_proj", g.mul(io.silu(gate), up), hidden, inner, c.mlpBias()));
    }

    /** Qwen3's per-head RMSNorm of q or k ([batch, seq, heads, d]) before rotation. */
    private Value headNorm(Value x, String weight) {
        return io.rmsNorm(x, w.get(weight, false, c.headDim()), c.rmsNormEps());
    }

    /** Rotary embedding in the Hugging Face (non-interleaved) convention: halves (x1, x2) -> (x1 cos - x2 sin, x2 cos + x1 sin). */
    private Value rotate(Value x, Value cos, Value sin) {
        long half = c.headDim() / 2;
        Value x1 = g.slice(x, -1, 0, half);
        Value x2 = g.slice(x, -1, half, 2 * half);
        return g.concat(-1, g.sub(g.mul(x1, cos), g.mul(x2, sin)), g.add(g.mul(x2, cos), g.mul(x1, sin)));
    }

    private Value linear(String module, Value x, long out, long in, boolean bias) {
        LinearWeight weight = w.linear(module + ".weight", out, in);
        Value b = bias ? w.get(module + ".bias", false, out) : null;
        return hooks.linear(g, module, x, weight, b);
    }
}
