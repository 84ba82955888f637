package rlif.evaluator.score;

import java.util.HashMap;
import java.util.Map;

/**
 * The rows a score run holds: which {@code (prompt_index, sample)} pairs, each at its position in run order,
 * so that {@code --out} can be checked against it and resumed.
 */
interface WorkPlan {
    /** Problems in the run. */
    int problems();

    /** The most rows any problem has: the largest k of pass@k, maj@k and best-of-N. */
    int samplesPerProblem();

    /** Rows in the run. */
    int rows();

    /** The row's position in run order, or -1 when the run has no such row. */
    int index(int promptIndex, int sample);

    /** Every problem with the same number of samples, in order: generation's plan. */
    static WorkPlan dense(int problems, int samples) {
        return new WorkPlan() {
            @Override
            public int problems() {
                return problems;
            }

            @Override
            public int samplesPerProblem() {
                return samples;
            }

            @Override
            public int rows() {
                return Math.toIntExact((long) problems * samples);
            }

            @Override
            public int index(int promptIndex, int sample) {
                return promptIndex < 0 || promptIndex >= problems || sample < 0 || sample >= samples ? -1
                        : Math.toIntExact((long) promptIndex * samples + sample);
            }
        };
    }

    /** Rows as the data lists them: what teacher forcing scores. */
    final class Listed implements WorkPlan {
        private final Map<Long, Integer> positions = new HashMap<>();
        private final Map<Integer, Integer> perProblem = new HashMap<>();
        private int most;

        /** Appends a row; returns its position. */
        int add(int promptIndex, int sample) {
            int at = positions.size();
            positions.put(key(promptIndex, sample), at);
            most = Math.max(most, perProblem.merge(promptIndex, 1, Integer::sum));
            return at;
        }

        @Override
        public int problems() {
            return perProblem.size();
        }

        @Override
        public int samplesPerProblem() {
            return most;
        }

        @Override
        public int rows() {
            return positions.size();
        }

        @Override
        public int index(int promptIndex, int sample) {
            return positions.getOrDefault(key(promptIndex, sample), -1);
        }

        private static long key(int promptIndex, int sample) {
            return ((long) promptIndex << 32) | (sample & 0xffffffffL);
        }
    }
}
