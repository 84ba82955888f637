package rlif.evaluator.score;

import rlif.evaluator.data.Problem;

/** One (problem, sample) to generate, with the prompt ids its problem encodes to. */
public record RolloutWork(Problem problem, int sample, int[] promptIds) {}
