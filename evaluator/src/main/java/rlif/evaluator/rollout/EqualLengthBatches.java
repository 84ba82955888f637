package rlif.evaluator.rollout;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.ToIntFunction;

/**
 * Runs a batch as sub-batches whose rows all have one length, so nothing is padded, for decoders that are exact
 * only then ({@code OnnxModelFile.rowsNeedEqualLengths}: ORT-GenAI's {@code GroupQueryAttention} exports). Rows
 * keep their own seeds, so what each samples does not change; results come back in request order.
 */
final class EqualLengthBatches {
    private EqualLengthBatches() {}

    static <T, R> List<R> run(List<T> batch, ToIntFunction<T> length, Function<List<T>, List<R>> run) {
        Map<Integer, List<Integer>> rowsByLength = new LinkedHashMap<>();
        for (int i = 0; i < batch.size(); i++) {
            rowsByLength.computeIfAbsent(length.applyAsInt(batch.get(i)), k -> new ArrayList<>()).add(i);
        }
        if (rowsByLength.size() <= 1) {
            return run.apply(batch);
        }
        List<R> inOrder = new ArrayList<>(Collections.nCopies(batch.size(), null));
        for (List<Integer> rows : rowsByLength.values()) {
            List<R> got = run.apply(rows.stream().map(batch::get).toList());
            for (int j = 0; j < rows.size(); j++) {
                inOrder.set(rows.get(j), got.get(j));
            }
        }
        return inOrder;
    }
}
