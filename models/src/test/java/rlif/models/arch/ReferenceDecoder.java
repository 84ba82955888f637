package rlif.models.arch;

import java.util.HashMap;
import java.util.Map;
import rlif.models.tensor.Tensor;

/**
 * The decoders written out in plain Java, double precision, one unpadded sequence at a time, straight from
 * the Hugging Face modelling code's definitions (no ONNX, no shared code with the graph builders apart from
 * the parsed config). Tests compare the ONNX graphs against it.
 */
public final class ReferenceDecoder {
    private final DecoderConfig config;
    private final Map<String, Tensor> weights;
    private final Map<String, double[]> cache = new HashMap<>();

    public ReferenceDecoder(DecoderConfig config, Map<String, Tensor> weights) {
        this.config = config;
        this.weights = weights;
    }

    private double[] w(String name) {
        return cache.computeIfAbsent(name, n -> {
            Tensor t = weights.get(n);
            if (t == null) {
                throw new IllegalArgumentException("no weight " + n);
            }
            float[] f = t.toFloats();
            double[] d = new double[f.length];
            for (int i = 0; i < f.length; i++) {
                d[i] = f[i];
            }
            return d;
        });
    }

    /** Logits [seq][vocab] of {@code ids} at positions 0..seq-1. */
    public double[][] logits(long[] ids) {
        return switch (config) {
            case LlamaConfig c -> llama(c, ids);
            case Gpt2Config c -> gpt2(c, ids);
        };
    }

    // ------------------------------------------------------------------ llama family

    private double[][] llama(LlamaConfig c, long[] ids) {
        int n = ids.length, hsz = c.hiddenSize(), d = c.headDim(), nh = c.numHeads(), nkv = c.numKvHeads();
        double[][] x = new double[n][];
        for (int t = 0; t < n; t++) {
            x[t] = row(w("model.embed_tokens.weight"), (int) ids[t], hsz);
        }
        double[] inv = llamaInverseFrequencies(c);
        for (int l = 0; l < c.numLayers(); l++) {
            String p = "model.layers." + l + ".";
            double[][] q = new double[n][], k = new double[n][], v = new double[n][];
            for (int t = 0; t < n; t++) {
                double[] xn = rmsNorm(x[t], w(p + "input_layernorm.weight"), c.rmsNormEps());
                q[t] = hfLinear(xn, p + "self_attn.q_proj", nh * d, c.qkvBias());
                k[t] = hfLinear(xn, p + "self_attn.k_proj", nkv * d, c.qkvBias());
                v[t] = hfLinear(xn, p + "self_attn.v_proj", nkv * d, c.qkvBias());
                if (c.qkNorm()) {
                    perHead(q[t], nh, d, hd -> rmsNorm(hd, w(p + "self_attn.q_norm.weight"), c.rmsNormEps()));
                    perHead(k[t], nkv, d, hd -> rmsNorm(hd, w(p + "self_attn.k_norm.weight"), c.rmsNormEps()));
                }
                final int pos = t;
                perHead(q[t], nh, d, hd -> rope(hd, pos, inv));
                perHead(k[t], nkv, d, hd -> rope(hd, pos, inv));
            }
            SlidingWindow sw = c.slidingWindow();
            int window = sw != null && sw.covers(l) ? sw.size() : Integer.MAX_VALUE;
            double[][] attn = attend(q, k, v, nh, nkv, d, 1 / Math.sqrt(d), window);
            for (int t = 0; t < n; t++) {
                add(x[t], hfLinear(attn[t], p + "self_attn.o_proj", hsz, c.oBias()));
                double[] xn = rmsNorm(x[t], w(p + "post_attention_layernorm.weight"), c.rmsNormEps());
                double[] gate = hfLinear(xn, p + "mlp.gate_proj", c.intermediateSize(), c.mlpBias());
                double[] up = hfLinear(xn, p + "mlp.up_proj", c.intermediateSize(), c.mlpBias());
                for (int i = 0; i < gate.length; i++) {
                    gate[i] = gate[i] / (1 + Math.exp(-gate[i])) * up[i];
                }
                add(x[t], hfLinear(gate, p + "mlp.down_proj", hsz, c.mlpBias()));
            }
        }
        String head = c.tieWordEmbeddings() ? "model.embed_tokens.weight" : "lm_head.weight";
        double[][] out = new double[n][];
        for (int t = 0; t < n; t++) {
            out[t] = matVec(w(head), rmsNorm(x[t], w("model.norm.weight"), c.rmsNormEps()), c.vocabSize());
        }
        return out;
    }

    /** theta^(-2i/d), then Llama 3.1's piecewise scaling as in transformers' _compute_llama3_parameters. */
    static double[] llamaInverseFrequencies(LlamaConfig c) {
        int half = c.headDim() / 2;
        double[] inv = new double[half];
        for (int i = 0; i < half; i++) {
            inv[i] = 1.0 / Math.pow(c.ropeTheta(), 2.0 * i / c.headDim());
        }
        RopeScaling s = c.ropeScaling();
        if (s == null) {
            return inv;
        }
        double[] out = new double[half];
        for (int i = 0; i < half; i++) {
            if (s.type().equals("linear")) {
                out[i] = inv[i] / s.factor();
                continue;
            }
            double wavelen = 2 * Math.PI / inv[i];
            double scaled = wavelen > s.originalMaxPositions() / s.lowFreqFactor() ? inv[i] / s.factor() : inv[i];
            boolean medium = !(wavelen < s.originalMaxPositions() / s.highFreqFactor()) && !(wavelen > s.originalMaxPositions() / s.lowFreqFactor());
            if (medium) {
                double smooth = (s.originalMaxPositions() / wavelen - s.lowFreqFactor()) / (s.highFreqFactor() - s.lowFreqFactor());
                scaled = (1 - smooth) * scaled / s.factor() + smooth * scaled;
            }
            out[i] = scaled;
        }
        return out;
    }

    private static double[] rope(double[] x, int pos, double[] inv) {
        int half = x.length / 2;
        double[] out = new double[x.length];
        for (int i = 0; i < half; i++) {
            double cos = Math.cos(pos * inv[i]), sin = Math.sin(pos * inv[i]);
            // transformers: x * cos + rotate_half(x) * sin with rotate_half(x) = (-x2, x1)
            out[i] = x[i] * cos - x[i + half] * sin;
            out[i + half] = x[i + half] * cos + x[i] * sin;
        }
        return out;
    }

    // ------------------------------------------------------------------ gpt2

    private double[][] gpt2(Gpt2Config c, long[] ids) {
        int n = ids.length, e = c.hiddenSize(), nh = c.numHeads(), d = c.headDim();
        double[][] x = new double[n][];
        for (int t = 0; t < n; t++) {
            x[t] = row(w("transformer.wte.weight"), (int) ids[t], e);
            add(x[t], row(w("transformer.wpe.weight"), t, e));
        }
        for (int l = 0; l < c.numLayers(); l++) {
            String p = "transformer.h." + l + ".";
            double[][] q = new double[n][], k = new double[n][], v = new double[n][];
            for (int t = 0; t < n; t++) {
                double[] xn = layerNorm(x[t], w(p + "ln_1.weight"), w(p + "ln_1.bias"), c.layerNormEps());
                double[] qkv = conv1d(xn, p + "attn.c_attn", 3 * e);
                q[t] = java.util.Arrays.copyOfRange(qkv, 0, e);
                k[t] = java.util.Arrays.copyOfRange(qkv, e, 2 * e);
                v[t] = java.util.Arrays.copyOfRange(qkv, 2 * e, 3 * e);
            }
            double[][] attn = attend(q, k, v, nh, nh, d, c.scaleAttnWeights() ? 1 / Math.sqrt(d) : 1, Integer.MAX_VALUE);
            for (int t = 0; t < n; t++) {
                add(x[t], conv1d(attn[t], p + "attn.c_proj", e));
                double[] xn = layerNorm(x[t], w(p + "ln_2.weight"), w(p + "ln_2.bias"), c.layerNormEps());
                double[] fc = conv1d(xn, p + "mlp.c_fc", c.innerSize());
                for (int i = 0; i < fc.length; i++) {
                    double z = fc[i];
                    fc[i] = c.tanhGelu()
                            ? 0.5 * z * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (z + 0.044715 * z * z * z)))
                            : 0.5 * z * (1 + erf(z / Math.sqrt(2)));
                }
                add(x[t], conv1d(fc, p + "mlp.c_proj", e));
            }
        }
        double[][] out = new double[n][];
        for (int t = 0; t < n; t++) {
            double[] xn = layerNorm(x[t], w("transformer.ln_f.weight"), w("transformer.ln_f.bias"), c.layerNormEps());
            out[t] = matVec(w(c.tieWordEmbeddings() ? "transformer.wte.weight" : "lm_head.weight"), xn, c.vocabSize());
        }
        return out;
    }

    /** GPT-2 Conv1D: weight [in, out], y = x W + b. */
    private double[] conv1d(double[] x, String module, int out) {
        double[] wt = w(module + ".weight");
        double[] y = w(module + ".bias").clone();
        for (int i = 0; i < x.length; i++) {
            for (int j = 0; j < out; j++) {
                y[j] += x[i] * wt[i * out + j];
            }
        }
        return y;
    }

    // ------------------------------------------------------------------ shared pieces

    /** Causal attention of each query over keys 0..t; query head h reads KV head h / (nh / nkv). */
    /** Causal attention; a query at t sees keys t - window < j <= t (transformers' sliding window). */
    private static double[][] attend(double[][] q, double[][] k, double[][] v, int nh, int nkv, int d, double scale, int window) {
        int n = q.length, rep = nh / nkv;
        double[][] out = new double[n][nh * d];
        for (int t = 0; t < n; t++) {
            for (int h = 0; h < nh; h++) {
                int kh = h / rep;
                double[] s = new double[t + 1];
                double max = Double.NEGATIVE_INFINITY;
                int lo = (int) Math.max(0, (long) t - window + 1);
                for (int j = lo; j <= t; j++) {
                    double dot = 0;
                    for (int i = 0; i < d; i++) {
                        dot += q[t][h * d + i] * k[j][kh * d + i];
                    }
                    s[j] = dot * scale;
                    max = Math.max(max, s[j]);
                }
                double z = 0;
                for (int j = lo; j <= t; j++) {
                    s[j] = Math.exp(s[j] - max);
                    z += s[j];
                }
                for (int j = lo; j <= t; j++) {
                    for (int i = 0; i < d; i++) {
                        out[t][h * d + i] += s[j] / z * v[j][kh * d + i];
                    }
                }
            }
        }
        return out;
    }

    /** Hugging Face nn.Linear: weight [out, in], y = W x + b. */
    private double[] hfLinear(double[] x, String module, int out, boolean bias) {
        double[] y = matVec(w(module + ".weight"), x, out);
        if (bias) {
            add(y, w(module + ".bias"));
        }
        return y;
    }

    private static double[] matVec(double[] wt, double[] x, int out) {
        double[] y = new double[out];
        for (int o = 0; o < out; o++) {
            double acc = 0;
            for (int i = 0; i < x.length; i++) {
                acc += wt[o * x.length + i] * x[i];
            }
            y[o] = acc;
        }
        return y;
    }

    private static double[] rmsNorm(double[] x, double[] g, double eps) {
        double ms = 0;
        for (double v : x) {
            ms += v * v;
        }
        double r = 1 / Math.sqrt(ms / x.length + eps);
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = x[i] * r * g[i];
        }
        return out;
    }

    private static double[] layerNorm(double[] x, double[] g, double[] b, double eps) {
        double mean = 0;
        for (double v : x) {
            mean += v;
        }
        mean /= x.length;
        double var = 0;
        for (double v : x) {
            var += (v - mean) * (v - mean);
        }
        double r = 1 / Math.sqrt(var / x.length + eps);
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = (x[i] - mean) * r * g[i] + b[i];
        }
        return out;
    }

    private static void perHead(double[] x, int heads, int d, java.util.function.UnaryOperator<double[]> f) {
        for (int h = 0; h < heads; h++) {
            double[] hd = f.apply(java.util.Arrays.copyOfRange(x, h * d, (h + 1) * d));
            System.arraycopy(hd, 0, x, h * d, d);
        }
    }

    private static double[] row(double[] m, int r, int width) {
        return java.util.Arrays.copyOfRange(m, r * width, (r + 1) * width);
    }

    private static void add(double[] acc, double[] x) {
        for (int i = 0; i < acc.length; i++) {
            acc[i] += x[i];
        }
    }

    /**
     * erf: Maclaurin series for |x| <= 3 (terms stay below ~1e4, so cancellation costs under 1e-12), and the
     * asymptotic erfc series beyond (truncation error under 1e-7 there).
     */
    static double erf(double x) {
        if (Math.abs(x) > 3) {
            double a = Math.abs(x), x2 = a * a;
            double erfc = Math.exp(-x2) / (a * Math.sqrt(Math.PI)) * (1 - 1 / (2 * x2) + 3 / (4 * x2 * x2) - 15 / (8 * x2 * x2 * x2));
            return Math.signum(x) * (1 - erfc);
        }
        double sum = 0, term = x;
        for (int n = 0; n < 200; n++) {
            double add = term / (2 * n + 1);
            sum += add;
            if (Math.abs(add) < 1e-17) {
                break;
            }
            term *= -x * x / (n + 1);
        }
        return 2 / Math.sqrt(Math.PI) * sum;
    }
}
