package rlif.trainer.params;

import java.util.List;

/**
 * LoRA on chosen linear layers: {@code y = x W + (alpha / rank) (x A) B} with A {@code [in, rank]} and B
 * {@code [rank, out]} in the graph's {@code [in, out]} layout (PEFT stores their transposes). Targets are
 * module-name suffixes such as {@code q_proj} or {@code mlp.gate_proj}.
 */
public record LoraSpec(int rank, double alpha, List<String> targets) {
    public LoraSpec {
        targets = List.copyOf(targets);
    }

    public double scale() {
        return alpha / rank;
    }

    /** Whether the linear layer {@code module} (e.g. {@code model.layers.0.self_attn.q_proj}) gets an adapter. */
    public boolean targets(String module) {
        for (String t : targets) {
            if (module.equals(t) || module.endsWith("." + t)) {
                return true;
            }
        }
        return false;
    }

    public static String aName(String module) {
        return module + ".lora_A";
    }

    public static String bName(String module) {
        return module + ".lora_B";
    }
}
