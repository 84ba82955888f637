package rlif.evaluator.report;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SelfCheckWordsTest {
    @Test
    void countsWholeWordsInAnyCaseAndLetMeAsOne() {
        // "Wait" and "wait," count; "But" counts, "butter" and "rebut" do not; "Let me" and "let  me" are one each
        int[] n = SelfCheckWords.count("Wait, 3 + 4 = 8? wait, no. But the butter... rebut. Let me check; let  me redo.");
        assertThat(n).containsExactly(2, 1, 2);
    }

    @Test
    void nothingInTextWithoutTheWordsOrWithoutText() {
        assertThat(SelfCheckWords.count("The answer is 7. Letme await the waiter.")).containsExactly(0, 0, 0);
        assertThat(SelfCheckWords.count(null)).containsExactly(0, 0, 0);
    }
}
