package rlif.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import rlif.models.BadInputException;

class ShardPlanTest {
    @Test
    void aShardIsAWholeNumberOfBatches() {
        // 3 samples in batches of 8: 8 problems (24 rollouts, 3 batches) is the smallest whole number of batches
        assertThat(ShardPlan.alignment(3, 8)).isEqualTo(8);
        assertThat(ShardPlan.alignment(4, 8)).isEqualTo(2);
        assertThat(ShardPlan.alignment(8, 8)).isEqualTo(1);
        assertThat(ShardPlan.alignment(1, 32)).isEqualTo(32);
        for (int samples = 1; samples <= 12; samples++) {
            for (int batch = 1; batch <= 40; batch++) {
                int shard = ShardPlan.shardSize(5, 1000, 3, 2, samples, batch);
                assertThat((shard * samples) % batch).as("samples %d batch %d", samples, batch).isZero();
                assertThat(shard).isGreaterThanOrEqualTo(5);
            }
        }
    }

    @Test
    void theAutomaticSizeGivesAboutTwoUnitsPerCore() {
        // one model, 8 cores: 16 shards of 1000 problems, 63 each, rounded up to the alignment of 1
        assertThat(ShardPlan.shardSize(0, 1000, 1, 8, 8, 8)).isEqualTo(63);
        // more models than cores: one shard per model
        assertThat(ShardPlan.shardSize(0, 500, 4, 2, 1, 32)).isEqualTo(512);
    }

    @Test
    void unitsCoverEveryProblemOfEveryModelOnce() {
        List<WorkUnit> units = ShardPlan.units(List.of(0, 2), 10, 4);
        assertThat(units).containsExactly(new WorkUnit(0, 0, 0, 4), new WorkUnit(1, 0, 4, 8), new WorkUnit(2, 0, 8, 10),
                new WorkUnit(3, 2, 0, 4), new WorkUnit(4, 2, 4, 8), new WorkUnit(5, 2, 8, 10));
    }

    @Test
    void aNegativeShardSizeIsBadInput() {
        assertThatThrownBy(() -> ShardPlan.shardSize(-1, 10, 1, 1, 1, 1)).isInstanceOf(BadInputException.class)
                .hasMessage("--shard-size must be >= 1 problems, got -1");
    }
}
