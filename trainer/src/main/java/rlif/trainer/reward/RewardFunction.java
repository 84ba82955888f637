package rlif.trainer.reward;

import java.util.EnumMap;
import java.util.Map;
import java.util.StringJoiner;
import rlif.evaluator.rollout.TrajectorySignals;
import rlif.models.BadInputException;

/** A weighted sum of {@link RewardKind}s, e.g. {@code {self_certainty: 1.0, verifiable: 0.5}}. */
public final class RewardFunction {
    private final Map<RewardKind, Double> weights;

    public RewardFunction(Map<RewardKind, Double> weights) {
        if (weights.isEmpty()) {
            throw new BadInputException("reward: name at least one reward with its weight");
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

    public boolean uses(RewardKind kind) {
        return weights.containsKey(kind);
    }

    public double of(TrajectorySignals signals, Boolean correct) {
        double sum = 0;
        for (Map.Entry<RewardKind, Double> e : weights.entrySet()) {
            sum += e.getValue() * e.getKey().of(signals, correct);
        }
        return sum;
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
