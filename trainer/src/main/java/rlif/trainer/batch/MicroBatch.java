package rlif.trainer.batch;

import rlif.trainer.graph.TokenBatch;

/** One training-graph run's share of a step: its batch and which of the step's sequences its rows are. */
public record MicroBatch(TokenBatch batch, int[] sequences) {}
