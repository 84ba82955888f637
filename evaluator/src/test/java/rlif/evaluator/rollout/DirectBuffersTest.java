package rlif.evaluator.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** A slot's buffer is reused while it is large enough, grows when it is not, and is allocated afresh once forgotten. */
class DirectBuffersTest {
    @Test
    void aSlotReusesItsBufferUntilItGrowsOrIsForgotten() {
        DirectBuffers buffers = new DirectBuffers();
        ByteBuffer first = buffers.get(DirectBuffers.Slot.STEP_LOGITS, 64);
        assertThat(buffers.get(DirectBuffers.Slot.STEP_LOGITS, 32)).isSameAs(first);
        ByteBuffer grown = buffers.get(DirectBuffers.Slot.STEP_LOGITS, 65);
        assertThat(grown).isNotSameAs(first);
        assertThat(grown.capacity()).isEqualTo(96); // at least 1.5x the old capacity, so growth is rare
        buffers.forgetAll();
        ByteBuffer fresh = buffers.get(DirectBuffers.Slot.STEP_LOGITS, 8);
        assertThat(fresh).isNotSameAs(grown);
        assertThat(fresh.capacity()).isEqualTo(8);
        assertThat(buffers.get(DirectBuffers.Slot.INPUT_IDS, 8)).isNotSameAs(fresh);
    }
}
