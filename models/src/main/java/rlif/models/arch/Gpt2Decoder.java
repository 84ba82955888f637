package rlif.models.arch;

import rlif.models.BadInputException;

import java.util.Set;
import rlif.models.graph.GraphBuilder;
import rlif.models.graph.Value;

/** Builds the GPT-2 decoder graph from Hugging Face weights (names with or without the {@code transformer.} prefix). */
final class Gpt2Decoder {
    private final Gpt2Config c;
    private final GraphBuilder g;
    private final DecoderIo io;
    private final CheckedWeights w;
    private final LayerHooks hooks;
    private final String prefix;

    private Gpt2Decoder(Gpt2Config c, WeightSource source, DecoderOptions o) {
        this.c = c;
        this.g = new GraphBuilder("gpt2_decoder");
        this.io = new DecoderIo(g, o.dtype(), o.kvCache());
        if (o.linears().quantizeFloatsToBits() > 0) {
            throw new BadInputException("quantized weights (int4/int8) are built for llama-family decoders; "
                    + c.modelType() + " takes fp32 or fp16");
        }
        this.w = new CheckedWeights(source, g, o);
        this.hooks = o.hooks();
        // GPT2LMHeadModel checkpoints say transformer.h.0...; bare GPT2Model ones (the original gpt2) say h.0...
        this.prefix = source.has("transformer.wte.weight") ? "transformer." : "";
    }

    static GraphBuilder build(Gpt2Config c, WeightSource source, DecoderOptions o) {
        return new Gpt2Decoder(c, source, o).build();
    }

    private GraphBuilder build() {
        long e = c.hiddenSize();
        Value wte = w.get(prefix + "wte.weight", false, c.vocabSize(), e);
        Value wpe = w.get(prefix + "wpe.weight", false, c.contextLength(), e);
        Value h = g.add(g.gather(wte, io.inputIds, 0), g.gather(wpe, io.positionIds, 0));
        for (int layer = 0; layer < c.numLayers(); layer++) {
            try (var s = g.scope("h." + layer)) {
                h = block(layer, h);
            }
        }
        h = io.layerNorm(h, w.get(prefix + "ln_f.weight", false, e), w.get(prefix + "ln_f.bias", false, e), c.layerNormEps());
        // nn.Linear head: [vocab, n_embd] like wte, so both are used transposed
        Value head = c.tieWordEmbeddings() ? g.transpose(wte, 1, 0) : w.get("lm_head.weight", true, c.vocabSize(), e);
        io.logits(hooks.linear(g, "lm_head", h, head, null));
        w.requireAllUsed(c.tieWordEmbeddings() ? Set.of(".attn.bias", ".attn.masked_bias", "lm_head.weight")
                : Set.of(".attn.bias", ".attn.masked_bias"));
        return g;
    }

    private Value block(int layer, Value h) {
        String p = prefix + "h." + layer + ".";
        long e = c.hiddenSize();
        int heads = c.numHeads();
        int d = c.headDim();
        Value x = io.layerNorm(h, w.get(p + "ln_1.weight", false, e), w.get(p + "ln_1.bias", false, e), c.layerNormEps());
        Value qkv = conv1d(p + "attn.c_attn", x, e, 3 * e);
        Value q = g.transpose(io.splitHeads(g.slice(qkv, -1, 0, e), heads, d), 0, 2, 1, 3);
        Value k = g.transpose(io.splitHeads(g.slice(qkv, -1, e, 2 * e), heads, d), 0, 2, 1, 3);
        Value v = g.transpose(io.splitHeads(g.slice(qkv, -1, 2 * e, 3 * e), heads, d), 0, 2, 1, 3);
        if (c.scaleAttnWeights()) {
            q = g.mul(q, g.scalar(1 / Math.sqrt(d), io.dtype));
        }
        Value[] kv = io.cache(layer, k, v, heads, d);
        Value attn = io.attention(q, kv[0], kv[1], heads, heads, d, io.maskAdd);
        h = g.add(h, conv1d(p + "attn.c_proj", attn, e, e));

        x = io.layerNorm(h, w.get(p + "ln_2.weight", false, e), w.get(p + "ln_2.bias", false, e), c.layerNormEps());
        Value fc = io.gelu(conv1d(p + "mlp.c_fc", x, e, c.innerSize()), c.tanhGelu());
        return g.add(h, conv1d(p + "mlp.c_proj", fc, c.innerSize(), e));
    }

    /** GPT-2's Conv1D: weight already [in, out], plus bias. */
    private Value conv1d(String module, Value x, long in, long out) {
        return hooks.linear(g, module, x, w.get(module + ".weight", false, in, out), w.get(module + ".bias", false, out));
    }
}
