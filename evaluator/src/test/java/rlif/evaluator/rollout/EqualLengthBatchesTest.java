package rlif.evaluator.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Rows are run in groups of one length each, every group once, and come back in request order. */
class EqualLengthBatchesTest {
    @Test
    void eachGroupHoldsOneLengthAndResultsKeepRequestOrder() {
        List<String> rows = List.of("aa", "b", "cc", "ddd", "e", "ff");
        List<List<String>> calls = new ArrayList<>();
        List<String> out = EqualLengthBatches.run(rows, String::length, group -> {
            calls.add(group);
            return group.stream().map(String::toUpperCase).toList();
        });
        assertThat(out).containsExactly("AA", "B", "CC", "DDD", "E", "FF");
        assertThat(calls).containsExactly(List.of("aa", "cc", "ff"), List.of("b", "e"), List.of("ddd"));
    }

    @Test
    void aBatchOfOneLengthIsRunWhole() {
        List<List<String>> calls = new ArrayList<>();
        List<String> rows = List.of("ab", "cd");
        EqualLengthBatches.run(rows, String::length, group -> {
            calls.add(group);
            return group;
        });
        assertThat(calls).containsExactly(rows);
    }
}
