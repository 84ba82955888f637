package rlif.trainer.reward;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import rlif.evaluator.rollout.TrajectorySignals;
import rlif.models.BadInputException;

/**
 * A weighted sum of {@link RewardKind}s, e.g. {@code {self_certainty: 1.0, verifiable: 0.5}}. A negative weight
 * flips a reward's sign (a control: train towards lower self-certainty); a zero weight logs a component without
 * training on it.
 */
public final class RewardFunction {
    private final Map<RewardKind, Double> weights;

    public RewardFunction(Map<RewardKind, Double> weights) {
        if (weights.isEmpty()) {
            throw new BadInputException("reward: name at least one reward with its weight");
        }
        for (Map.Entry<RewardKind, Double> e : weights.entrySet()) {
            if (!Double.isFinite(e.getValue())) {
                throw new BadInputException("reward." + e.getKey().key() + ": the weight must be a finite number, got "
                        + e.getValue());
            }
        }
        this.weights = new EnumMap<>(weights);
    }

    /** A single reward with weight 1. */
    public static RewardFunction of(RewardKind kind) {
        return new RewardFunction(Map.of(kind, 1.0));
    }

    public Map<RewardKind, Double> weights() {
        return Map.copyOf(weights);
    }

    /** The named rewards, in a fixed order: the order of {@link #components}. */
    public List<RewardKind> kinds() {
        return new ArrayList<>(weights.keySet());
    }

    public boolean uses(RewardKind kind) {
        return weights.containsKey(kind);
    }

    /** Each named reward of one completion, unweighted, in {@link #kinds()} order. */
    public double[] components(TrajectorySignals signals, Boolean correct) {
        double[] out = new double[weights.size()];
        int i = 0;
        for (RewardKind k : weights.keySet()) {
            out[i++] = k.of(signals, correct);
        }
        return out;
    }

    /** The weighted sum of {@link #components}. */
    public double total(double[] components) {
        double sum = 0;
        int i = 0;
        for (double w : weights.values()) {
            sum += w * components[i++];
        }
        return sum;
    }

    public double of(TrajectorySignals signals, Boolean correct) {
        return total(components(signals, correct));
    }

    /** A short name for reports, e.g. {@code self_certainty} or {@code 1*verifiable+0.5*self_certainty}. */
    public String describe() {
        if (weights.size() == 1 && weights.values().iterator().next() == 1.0) {
            return weights.keySet().iterator().next().key();
        }
        StringJoiner j = new StringJoiner("+");
        weights.forEach((k, w) -> j.add(w + "*" + k.key()));
        return j.toString();
    }
}
