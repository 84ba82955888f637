package rlif.trainer.loop;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LogWindowTest {
    private static Map<String, Object> step(double loss, double lr, long tokens, Double reward, String skipped) {
        Map<String, Object> m = new LinkedHashMap<>();
        if (reward != null) {
            m.put("reward", reward);
        }
        m.put("loss", loss);
        m.put("learning_rate", lr);
        m.put("num_tokens", tokens);
        if (skipped != null) {
            m.put("skipped", skipped);
        }
        return m;
    }

    @Test
    void aWindowAveragesAmountsKeepsTheLastStateAndCountsSkippedSteps() {
        LogWindow w = new LogWindow();
        w.add(step(1.0, 0.1, 100, 0.5, null));
        w.add(step(3.0, 0.2, 250, null, "zero gradient"));
        w.add(step(2.0, 0.3, 400, 1.5, null));
        Map<String, Object> row = w.flush(6);
        assertThat(row).containsEntry("step", 6L).containsEntry("loss", 2.0).containsEntry("reward", 1.0)
                .containsEntry("learning_rate", 0.3).containsEntry("num_tokens", 400L)
                .containsEntry("skipped", "zero gradient").containsEntry("skipped_steps", 1);
        assertThat(w.isEmpty()).isTrue();
    }

    @Test
    void aWindowOfOneStepIsThatStepAsItWas() {
        LogWindow w = new LogWindow();
        w.add(step(1.5, 0.1, 7, 2.0, null));
        assertThat(w.flush(3)).containsExactly(Map.entry("step", 3L), Map.entry("reward", 2.0), Map.entry("loss", 1.5),
                Map.entry("learning_rate", 0.1), Map.entry("num_tokens", 7L));
    }
}
