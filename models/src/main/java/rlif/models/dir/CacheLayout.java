package rlif.models.dir;

/** How a decoder takes and returns its key/value cache. */
public enum CacheLayout {
    /** One tensor per layer, keys and values stacked: {@code [2, batch, kv_heads, seq, head_size]} ({@code past_%d}). */
    STACKED(1, 3),
    /** Two tensors per layer: {@code [batch, kv_heads, seq, head_size]} ({@code past_key_values.%d.key/value}). */
    SEPARATE(0, 2);

    private final int batchAxis;
    private final int seqAxis;

    CacheLayout(int batchAxis, int seqAxis) {
        this.batchAxis = batchAxis;
        this.seqAxis = seqAxis;
    }

    /** The axis that indexes batch rows. */
    public int batchAxis() {
        return batchAxis;
    }

    /** The axis that grows by one per decoded token. */
    public int seqAxis() {
        return seqAxis;
    }

    /** Cache tensors per layer: one stacked, or a key and a value. */
    public int tensorsPerLayer() {
        return this == STACKED ? 1 : 2;
    }

    /** The shape of one cache tensor. */
    public long[] shape(int batch, int kvHeads, int seq, int headSize) {
        return this == STACKED
                ? new long[] {2, batch, kvHeads, seq, headSize}
                : new long[] {batch, kvHeads, seq, headSize};
    }
}
