package rlif.evaluator.compare;

import java.util.Map;
import rlif.evaluator.metrics.Interval;
import rlif.evaluator.report.Signal;

/**
 * The metrics a comparison reports, each with its standard error and 95% interval: one model's own
 * ({@link ModelEstimates}), or its paired difference from the baseline ({@link PairedDifferences}).
 *
 * @param passAtK by k, every k {@code summary.json} reports
 * @param majAtK by k
 */
public record MetricIntervals(
        Interval accuracy,
        Map<Integer, Interval> passAtK,
        Map<Integer, Interval> majAtK,
        Interval numTokens,
        Map<Signal, Interval> signalMean,
        Map<Signal, Interval> signalAuroc) {}
