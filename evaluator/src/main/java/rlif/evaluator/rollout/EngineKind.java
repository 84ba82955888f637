package rlif.evaluator.rollout;

import java.util.Locale;
import rlif.models.BadInputException;

/**
 * Which rollout engine generates ({@code --engine}): the step engine ({@link OnnxRolloutEngine}, one
 * {@code OrtSession.run} per token, signals and sampling in Java), the generation graph ({@link GraphRolloutEngine},
 * one run per batch), or {@code auto}.
 */
public enum EngineKind {
    AUTO,
    STEP,
    GRAPH;

    /** Parses {@code auto}, {@code step} or {@code graph}; anything else is bad input. */
    public static EngineKind parse(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "auto" -> AUTO;
            case "step" -> STEP;
            case "graph" -> GRAPH;
            default -> throw new BadInputException("--engine must be auto, step or graph, got '" + name + "'");
        };
    }

    /**
     * The engine {@code auto} means on {@code device}: the generation graph on CUDA, where the step engine would copy
     * every row's cache and logits between host and device at every token; on the CPU the step engine. Measured with
     * {@code rlif bench rollout} (docs/rollout-engine.md), the graph is far faster on the tiny arith models, where
     * per-token Java work dominates, level with the step engine on SmolLM2, where ONNX Runtime's work does, and slower
     * where its float64 signal passes over the vocabulary outweigh a tiny decoder; the step engine also drops finished
     * rows, and it keeps sampled results as they were.
     */
    public EngineKind resolve(Device device) {
        if (this != AUTO) {
            return this;
        }
        return device == Device.CUDA ? GRAPH : STEP;
    }

    /** The spelling {@code --engine} takes. */
    public String cli() {
        return name().toLowerCase(Locale.ROOT);
    }
}
