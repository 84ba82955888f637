package rlif.models.gguf;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How llama.cpp names and lays out the tensors of llama-family models, and the way back to Hugging Face names.
 *
 * <p>llama.cpp's converter ({@code convert_hf_to_gguf.py}, {@code LlamaModel.permute}) reorders the rows of
 * {@code q_proj} and {@code k_proj} of {@code llama} models: within each head of {@code headDim} rows, Hugging
 * Face keeps the two rotary halves apart (rows {@code i} and {@code i + headDim/2} form a pair) while GGML's
 * rotation wants each pair adjacent (rows {@code 2i} and {@code 2i+1}). So GGUF row {@code 2i + s} of a head is
 * Hugging Face row {@code s * headDim/2 + i}. Qwen2 GGUFs are written unpermuted.
 */
public final class GgufLlamaLayout {
    private static final Pattern BLOCK = Pattern.compile("blk\\.(\\d{1,5})\\.([a-z_]+)\\.(weight|bias)");

    private GgufLlamaLayout() {}

    /** Which Q/K permutation applies to a tensor, if any. */
    public enum Permutation {
        NONE,
        QUERY,
        KEY
    }

    /** A GGUF tensor's Hugging Face name and whether its rows need unpermuting. */
    public record Mapping(String hfName, Permutation permutation) {}

    /** The Hugging Face name of a GGUF tensor of a llama-family model, or empty for a tensor we do not map. */
    public static Optional<Mapping> toHf(String ggufName, boolean permuted) {
        switch (ggufName) {
            case "token_embd.weight":
                return Optional.of(new Mapping("model.embed_tokens.weight", Permutation.NONE));
            case "output_norm.weight":
                return Optional.of(new Mapping("model.norm.weight", Permutation.NONE));
            case "output.weight":
                return Optional.of(new Mapping("lm_head.weight", Permutation.NONE));
            default:
                break;
        }
        Matcher m = BLOCK.matcher(ggufName);
        if (!m.matches()) {
            return Optional.empty();
        }
        String layer = "model.layers." + Integer.parseInt(m.group(1)) + ".";
        String kind = m.group(3);
        String hf = switch (m.group(2)) {
            case "attn_q" -> "self_attn.q_proj";
            case "attn_k" -> "self_attn.k_proj";
            case "attn_v" -> "self_attn.v_proj";
            case "attn_output" -> "self_attn.o_proj";
            case "attn_q_norm" -> "self_attn.q_norm";
            case "attn_k_norm" -> "self_attn.k_norm";
            case "ffn_gate" -> "mlp.gate_proj";
            case "ffn_up" -> "mlp.up_proj";
            case "ffn_down" -> "mlp.down_proj";
            case "attn_norm" -> "input_layernorm";
            case "ffn_norm" -> "post_attention_layernorm";
            default -> null;
        };
        if (hf == null) {
            return Optional.empty();
        }
        Permutation p = !permuted ? Permutation.NONE
                : m.group(2).equals("attn_q") ? Permutation.QUERY
                : m.group(2).equals("attn_k") ? Permutation.KEY
                : Permutation.NONE;
        return Optional.of(new Mapping(layer + hf + "." + kind, p));
    }

    /** The GGUF name of a llama-family Hugging Face tensor: the inverse of {@link #toHf}. */
    public static Optional<String> toGguf(String hfName) {
        switch (hfName) {
            case "model.embed_tokens.weight":
                return Optional.of("token_embd.weight");
            case "model.norm.weight":
                return Optional.of("output_norm.weight");
            case "lm_head.weight":
                return Optional.of("output.weight");
            default:
                break;
        }
        Matcher m = HF_BLOCK.matcher(hfName);
        if (!m.matches()) {
            return Optional.empty();
        }
        String kind = switch (m.group(2)) {
            case "self_attn.q_proj" -> "attn_q";
            case "self_attn.k_proj" -> "attn_k";
            case "self_attn.v_proj" -> "attn_v";
            case "self_attn.o_proj" -> "attn_output";
            case "self_attn.q_norm" -> "attn_q_norm";
            case "self_attn.k_norm" -> "attn_k_norm";
            case "mlp.gate_proj" -> "ffn_gate";
            case "mlp.up_proj" -> "ffn_up";
            case "mlp.down_proj" -> "ffn_down";
            case "input_layernorm" -> "attn_norm";
            case "post_attention_layernorm" -> "ffn_norm";
            default -> null;
        };
        return kind == null ? Optional.empty() : Optional.of("blk." + Integer.parseInt(m.group(1)) + "." + kind + "." + m.group(3));
    }

    private static final Pattern HF_BLOCK = Pattern.compile("model\\.layers\\.(\\d{1,5})\\.([a-z_.]+)\\.(weight|bias)");

    /** llama.cpp's converter permutation (the inverse of {@link #unpermuteRows}): Hugging Face row {@code s * headDim/2 + i} goes to GGUF row {@code 2i + s}. */
    public static float[] permuteRows(float[] values, int heads, int headDim, int cols) {
        return reorderRows(values, heads, headDim, cols, true);
    }

    private static void checkRows(float[] values, int heads, int headDim, int cols) {
        if ((long) heads * headDim * cols != values.length || headDim % 2 != 0) {
            throw new IllegalArgumentException(values.length + " values are not " + heads + " heads x " + headDim
                    + " rows x " + cols + " columns with an even head size");
        }
    }

    /**
     * The Q/K row unpermutation as an order of rows: Hugging Face row {@code i} is GGUF row {@code order[i]}, for
     * {@code heads} heads of {@code headDim} rows.
     */
    public static int[] hfRowOrder(int heads, int headDim) {
        int half = headDim / 2;
        int[] order = new int[heads * headDim];
        for (int h = 0; h < heads; h++) {
            for (int i = 0; i < half; i++) {
                for (int s = 0; s < 2; s++) {
                    order[h * headDim + s * half + i] = h * headDim + 2 * i + s;
                }
            }
        }
        return order;
    }

    /**
     * Undoes llama.cpp's Q/K row permutation in place: {@code values} is row-major {@code [heads * headDim, cols]}
     * (a weight) or {@code [heads * headDim]} (a bias, {@code cols = 1}).
     */
    public static float[] unpermuteRows(float[] values, int heads, int headDim, int cols) {
        return reorderRows(values, heads, headDim, cols, false);
    }

    /** Moves each head's rows between the two orders: GGUF row {@code 2i + s} is Hugging Face row {@code s * headDim/2 + i}. */
    private static float[] reorderRows(float[] values, int heads, int headDim, int cols, boolean toGguf) {
        checkRows(values, heads, headDim, cols);
        float[] out = new float[values.length];
        int[] order = hfRowOrder(heads, headDim);
        for (int hfRow = 0; hfRow < order.length; hfRow++) {
            int ggufRow = order[hfRow];
            System.arraycopy(values, (toGguf ? hfRow : ggufRow) * cols, out, (toGguf ? ggufRow : hfRow) * cols, cols);
        }
        return out;
    }
}
