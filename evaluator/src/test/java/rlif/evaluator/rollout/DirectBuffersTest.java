package rlif.evaluator.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/**
 * A slot's buffer is reused while it is large enough, grows when it is not, and once released is freed at once and
 * allocated afresh by the next request.
 */
class DirectBuffersTest {
    @Test
    void aSlotReusesItsBufferUntilItGrowsOrIsReleased() {
        DirectBuffers buffers = new DirectBuffers();
        ByteBuffer first = buffers.get(DirectBuffers.Slot.STEP_LOGITS, 64);
        assertThat(buffers.get(DirectBuffers.Slot.STEP_LOGITS, 32)).isSameAs(first);
        ByteBuffer grown = buffers.get(DirectBuffers.Slot.STEP_LOGITS, 65);
        assertThat(grown).isNotSameAs(first);
        assertThat(grown.capacity()).isEqualTo(96); // at least 1.5x the old capacity, so growth is rare
        buffers.releaseAll();
        ByteBuffer fresh = buffers.get(DirectBuffers.Slot.STEP_LOGITS, 8);
        assertThat(fresh).isNotSameAs(grown);
        assertThat(fresh.capacity()).isEqualTo(8);
        assertThat(buffers.get(DirectBuffers.Slot.INPUT_IDS, 8)).isNotSameAs(fresh);
    }

    @Test
    void aReleasedBufferIsFreedAtOnceNotWhenTheCollectorFindsIt() {
        DirectBuffers buffers = new DirectBuffers();
        int bytes = 8 << 20;
        ByteBuffer held = buffers.get(DirectBuffers.Slot.PREFILL_LOGITS, bytes);
        long before = directBytesInUse();
        buffers.release(DirectBuffers.Slot.PREFILL_LOGITS);
        // still reachable from this frame, so only an explicit free can have returned its memory
        assertThat(held.capacity()).isEqualTo(bytes);
        assertThat(before - directBytesInUse()).isGreaterThanOrEqualTo(bytes);
        assertThat(buffers.get(DirectBuffers.Slot.PREFILL_LOGITS, 8)).isNotSameAs(held);
        buffers.release(DirectBuffers.Slot.TARGET_IDS); // an empty slot: nothing to free
    }

    private static long directBytesInUse() {
        return ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
                .filter(pool -> pool.getName().equals("direct")).mapToLong(BufferPoolMXBean::getMemoryUsed).sum();
    }
}
