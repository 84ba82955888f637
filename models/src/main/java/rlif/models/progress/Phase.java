package rlif.models.progress;

/** A slow phase that {@link ProgressSink#phase} announced; closing it prints how long it took. */
public final class Phase implements AutoCloseable {
    private final ProgressSink sink;
    private final String what;
    private final long start;
    private boolean closed;

    Phase(ProgressSink sink, String what, long start) {
        this.sink = sink;
        this.what = what;
        this.start = start;
    }

    String what() {
        return what;
    }

    /** Seconds since the phase began. */
    public double seconds() {
        return (sink.now() - start) / 1e9;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            sink.endPhase(this, seconds());
        }
    }
}
