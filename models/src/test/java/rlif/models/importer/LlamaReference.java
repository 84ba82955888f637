package rlif.models.importer;

import java.util.Map;

/**
 * Test reference: a llama decoder forward in double precision, written from the Hugging Face modelling code's
 * definitions (RMSNorm, half-split rotary, grouped-query causal attention, SwiGLU), over float weights keyed by
 * Hugging Face name. No ONNX and no code shared with the graph builder.
 */
final class LlamaReference {
    private final Map<String, float[]> w;
    private final int hidden, layers, heads, kvHeads, headDim, ffn, vocab;
    private final double eps, theta;

    LlamaReference(Map<String, float[]> weights, int hidden, int layers, int heads, int kvHeads, int ffn, int vocab,
            double eps, double theta) {
        this.w = weights;
        this.hidden = hidden;
        this.layers = layers;
        this.heads = heads;
        this.kvHeads = kvHeads;
        this.headDim = hidden / heads;
        this.ffn = ffn;
        this.vocab = vocab;
        this.eps = eps;
        this.theta = theta;
    }

    /** y = W x for a Hugging Face linear weight [out, in]. */
    private double[] linear(String name, double[] x, int out) {
        float[] m = w.get(name);
        double[] y = new double[out];
        for (int o = 0; o < out; o++) {
            double s = 0;
            for (int i = 0; i < x.length; i++) {
                s += m[o * x.length + i] * x[i];
            }
            y[o] = s;
        }
        return y;
    }

    private double[] rmsNorm(double[] x, String gain) {
        double ss = 0;
        for (double v : x) {
            ss += v * v;
        }
        double r = 1 / Math.sqrt(ss / x.length + eps);
        float[] g = w.get(gain);
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = x[i] * r * g[i];
        }
        return y;
    }

    /** Rotates each head's halves (i, i + d/2) by pos * theta^(-2i/d). */
    private void rope(double[] x, int nHeads, int pos) {
        int half = headDim / 2;
        for (int h = 0; h < nHeads; h++) {
            for (int i = 0; i < half; i++) {
                double a = pos * Math.pow(theta, -2.0 * i / headDim);
                double x1 = x[h * headDim + i];
                double x2 = x[h * headDim + i + half];
                x[h * headDim + i] = x1 * Math.cos(a) - x2 * Math.sin(a);
                x[h * headDim + i + half] = x2 * Math.cos(a) + x1 * Math.sin(a);
            }
        }
    }

    double[][] logits(long[] ids) {
        int n = ids.length;
        double[][] x = new double[n][hidden];
        float[] emb = w.get("model.embed_tokens.weight");
        for (int t = 0; t < n; t++) {
            for (int i = 0; i < hidden; i++) {
                x[t][i] = emb[(int) ids[t] * hidden + i];
            }
        }
        for (int l = 0; l < layers; l++) {
            String p = "model.layers." + l + ".";
            double[][] q = new double[n][], k = new double[n][], v = new double[n][];
            for (int t = 0; t < n; t++) {
                double[] h = rmsNorm(x[t], p + "input_layernorm.weight");
                q[t] = linear(p + "self_attn.q_proj.weight", h, heads * headDim);
                k[t] = linear(p + "self_attn.k_proj.weight", h, kvHeads * headDim);
                v[t] = linear(p + "self_attn.v_proj.weight", h, kvHeads * headDim);
                rope(q[t], heads, t);
                rope(k[t], kvHeads, t);
            }
            for (int t = 0; t < n; t++) {
                double[] attn = new double[heads * headDim];
                for (int h = 0; h < heads; h++) {
                    int kv = h / (heads / kvHeads);
                    double[] score = new double[t + 1];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int s = 0; s <= t; s++) {
                        double dot = 0;
                        for (int i = 0; i < headDim; i++) {
                            dot += q[t][h * headDim + i] * k[s][kv * headDim + i];
                        }
                        score[s] = dot / Math.sqrt(headDim);
                        max = Math.max(max, score[s]);
                    }
                    double z = 0;
                    for (int s = 0; s <= t; s++) {
                        score[s] = Math.exp(score[s] - max);
                        z += score[s];
                    }
                    for (int s = 0; s <= t; s++) {
                        for (int i = 0; i < headDim; i++) {
                            attn[h * headDim + i] += score[s] / z * v[s][kv * headDim + i];
                        }
                    }
                }
                double[] o = linear(p + "self_attn.o_proj.weight", attn, hidden);
                for (int i = 0; i < hidden; i++) {
                    x[t][i] += o[i];
                }
                double[] h = rmsNorm(x[t], p + "post_attention_layernorm.weight");
                double[] gate = linear(p + "mlp.gate_proj.weight", h, ffn);
                double[] up = linear(p + "mlp.up_proj.weight", h, ffn);
                for (int i = 0; i < ffn; i++) {
                    gate[i] = gate[i] / (1 + Math.exp(-gate[i])) * up[i];
                }
                double[] down = linear(p + "mlp.down_proj.weight", gate, hidden);
                for (int i = 0; i < hidden; i++) {
                    x[t][i] += down[i];
                }
            }
        }
        double[][] out = new double[n][];
        for (int t = 0; t < n; t++) {
            out[t] = linear("lm_head.weight", rmsNorm(x[t], "model.norm.weight"), vocab);
        }
        return out;
    }
}
