package rlif.models.arch;

import java.util.List;

/**
 * Sliding-window attention as transformers applies it: on a windowed layer, query {@code i} sees key {@code j}
 * only when {@code i - size < j <= i}, so {@code size} keys including its own (Mistral's {@code sliding_window};
 * Qwen2/Qwen3's {@code use_sliding_window} on the layers from {@code max_window_layers} on, or whatever
 * {@code layer_types} says).
 *
 * @param size keys a query may see, at least 1
 * @param windowed per layer, whether that layer's attention is windowed
 */
public record SlidingWindow(int size, List<Boolean> windowed) {
    public SlidingWindow {
        if (size < 1) {
            throw new IllegalArgumentException("sliding window size must be positive, got " + size);
        }
        windowed = List.copyOf(windowed);
    }

    /** Whether layer {@code layer} attends through the window. */
    public boolean covers(int layer) {
        return windowed.get(layer);
    }
}
