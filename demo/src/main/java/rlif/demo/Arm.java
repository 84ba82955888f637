package rlif.demo;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One treatment of the demo: which reward a GRPO run optimises and how. The internal-feedback arms are the
 * paper's (self-certainty as in Intuitor, token entropy as in entropy minimisation); RLVR rewards correctness;
 * the controls tell a real effect of a reward from what any GRPO update does:
 *
 * <ul>
 *   <li>{@code shuffled}: self-certainty, shuffled among the completions of each group before the advantages are
 *       computed, so the update has the same size but no direction (pure drift);</li>
 *   <li>{@code sign-flipped}: minus self-certainty, which should push every measurement the other way;</li>
 *   <li>{@code kl}: self-certainty with a k3 KL penalty to the starting weights (coefficient 0.005).</li>
 * </ul>
 *
 * @param name the arm's name in tables, directories and {@code demo.json}
 * @param reward reward weights, as {@code grpo.reward} of a train config takes them
 * @param shuffleWithinGroup shuffle the rewards within each group (the drift control)
 * @param klCoef the KL coefficient (0: none, the paper's RLIF setting)
 */
public record Arm(String name, Map<String, Double> reward, boolean shuffleWithinGroup, double klCoef) {
    public static final Arm SELF_CERTAINTY = new Arm("self_certainty", Map.of("self_certainty", 1.0), false, 0);
    public static final Arm TOKEN_ENTROPY = new Arm("token_entropy", Map.of("token_entropy", 1.0), false, 0);
    public static final Arm VERIFIABLE = new Arm("verifiable", Map.of("verifiable", 1.0), false, 0);
    public static final Arm SHUFFLED = new Arm("shuffled", Map.of("self_certainty", 1.0), true, 0);
    public static final Arm SIGN_FLIPPED = new Arm("sign-flipped", Map.of("self_certainty", -1.0), false, 0);
    public static final Arm KL = new Arm("kl", Map.of("self_certainty", 1.0), false, 0.005);

    public Arm {
        reward = Map.copyOf(new LinkedHashMap<>(reward));
    }

    /** Every arm by name, in report order. */
    public static List<Arm> all() {
        return List.of(SELF_CERTAINTY, TOKEN_ENTROPY, VERIFIABLE, SHUFFLED, SIGN_FLIPPED, KL);
    }

    /** The arm called {@code name}, or null. */
    public static Arm named(String name) {
        return all().stream().filter(a -> a.name().equals(name)).findFirst().orElse(null);
    }

    /** Whether the arm is a control rather than a treatment the paper studies. */
    public boolean isControl() {
        return shuffleWithinGroup || reward.values().stream().anyMatch(w -> w < 0);
    }

    /** The reward being optimised, as the trainer names it (e.g. {@code self_certainty}, {@code -1.0*self_certainty}). */
    public String rewardName() {
        if (reward.size() == 1 && reward.values().iterator().next() == 1.0) {
            return reward.keySet().iterator().next();
        }
        StringBuilder sb = new StringBuilder();
        reward.forEach((k, w) -> sb.append(sb.isEmpty() ? "" : "+").append(w).append('*').append(k));
        return sb.toString();
    }
}
