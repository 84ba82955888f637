package rlif.evaluator.rollout;

/**
 * How the rollout engine runs: the device, ONNX Runtime's intra-op threads ({@code 0} = its default),
 * when finished rows are dropped from the batch, and how many logits one prefill run may produce.
 *
 * @param compactAtFinishedShare drop finished rows once they are at least this share of the rows still
 *                               in the batch ({@code 0}: as soon as any row finishes;
 *                               {@code > 1}: never)
 * @param prefillLogitsBudget    bytes of {@code [rows, prompt columns, vocab]} logits one prefill run may
 *                               produce; larger batches are prefilled in groups of rows (32 MiB: only the last
 *                               column is used, and the buffer is resident memory while the prefill runs; it is
 *                               freed before the decode steps)
 * @param stopAtEos              false only for benchmarks: rows run to {@code maxNewTokens} whatever they
 *                               generate (vLLM's {@code ignore_eos}), so every engine compared does the same work
 * @param spinning               whether ONNX Runtime's intra-op threads spin while waiting for work
 *                               ({@code session.intra_op.allow_spinning}); {@link Spinning#AUTO} by default: off when
 *                               the machine is already busy as the session opens
 * @param arena                  ONNX Runtime's CPU memory arena (its default, and the default here) instead of the
 *                               system allocator. Off, decode steps that allocate the KV cache one column longer each
 *                               time return it to the system, but every step's buffers go through malloc: the GPT-2
 *                               fixture's steps at batch 16 took 2.3x as long in rlif (7.7x in ONNX Runtime alone) for
 *                               2% less peak RSS on SmolLM2 at batch 8 x 256 tokens (docs/rollout-engine.md)
 * @param presentBufferBudget    bytes of the two sets of {@link PresentBuffers} a generate call may write its decode
 *                               steps' key/values into (both sets, at the call's widest cache); a call whose cache needs
 *                               more lets ONNX Runtime allocate each step's present instead ({@code 0}: always). 1 MiB:
 *                               the saving is a fixed few microseconds a step, which only tiny caches notice; the GPT-2
 *                               fixture gained at batch 1 (0.4 MB of sets) and lost 12% at batch 16 (6.5 MB), for a
 *                               reason not found (docs/rollout-engine.md)
 */
public record EngineOptions(Device device, int intraOpThreads, double compactAtFinishedShare, long prefillLogitsBudget,
        boolean stopAtEos, Spinning spinning, boolean arena, long presentBufferBudget) {
    public EngineOptions {
        if (intraOpThreads < 0) {
            throw new IllegalArgumentException("intraOpThreads must be >= 0");
        }
        if (!(compactAtFinishedShare >= 0)) {
            throw new IllegalArgumentException("compactAtFinishedShare must be >= 0");
        }
        if (prefillLogitsBudget < 1) {
            throw new IllegalArgumentException("prefillLogitsBudget must be >= 1");
        }
        java.util.Objects.requireNonNull(spinning, "spinning");
        if (presentBufferBudget < 0) {
            throw new IllegalArgumentException("presentBufferBudget must be >= 0");
        }
    }

    /**
     * CPU, ORT's default threads (spinning unless the machine is busy), compaction once a quarter of the rows have finished, 32 MiB of prefill
     * logits, stop at end of sequence, ORT's memory arena, 1 MiB of present buffers.
     */
    public static EngineOptions defaults() {
        return new EngineOptions(Device.CPU, 0, 0.25, 32L << 20, true, Spinning.AUTO, true, 1L << 20);
    }

    public EngineOptions withDevice(Device d) {
        return new EngineOptions(d, intraOpThreads, compactAtFinishedShare, prefillLogitsBudget, stopAtEos, spinning, arena,
                presentBufferBudget);
    }

    public EngineOptions withThreads(int threads) {
        return new EngineOptions(device, threads, compactAtFinishedShare, prefillLogitsBudget, stopAtEos, spinning, arena,
                presentBufferBudget);
    }

    public EngineOptions withCompactAtFinishedShare(double share) {
        return new EngineOptions(device, intraOpThreads, share, prefillLogitsBudget, stopAtEos, spinning, arena,
                presentBufferBudget);
    }

    /** Keeps finished rows in the batch to the end (the reference compaction is tested against). */
    public EngineOptions withoutCompaction() {
        return withCompactAtFinishedShare(Double.POSITIVE_INFINITY);
    }

    public EngineOptions withPrefillLogitsBudget(long bytes) {
        return new EngineOptions(device, intraOpThreads, compactAtFinishedShare, bytes, stopAtEos, spinning, arena,
                presentBufferBudget);
    }

    /** ONNX Runtime's CPU memory arena on or off. */
    public EngineOptions withArena(boolean on) {
        return new EngineOptions(device, intraOpThreads, compactAtFinishedShare, prefillLogitsBudget, stopAtEos, spinning,
                on, presentBufferBudget);
    }

    /** Whether ONNX Runtime's intra-op threads spin or sleep while waiting for work. */
    public EngineOptions withSpinning(Spinning s) {
        return new EngineOptions(device, intraOpThreads, compactAtFinishedShare, prefillLogitsBudget, stopAtEos, s, arena,
                presentBufferBudget);
    }

    /** Bytes of present buffers a generate call may use ({@code 0}: ONNX Runtime allocates every step's present). */
    public EngineOptions withPresentBufferBudget(long bytes) {
        return new EngineOptions(device, intraOpThreads, compactAtFinishedShare, prefillLogitsBudget, stopAtEos, spinning,
                arena, bytes);
    }

    /** Rows generate {@code maxNewTokens} tokens even past an end-of-sequence token (benchmarks only). */
    public EngineOptions ignoringEos() {
        return new EngineOptions(device, intraOpThreads, compactAtFinishedShare, prefillLogitsBudget, false, spinning, arena,
                presentBufferBudget);
    }
}
