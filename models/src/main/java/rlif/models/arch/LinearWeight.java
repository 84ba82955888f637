package rlif.models.arch;

import rlif.models.graph.GraphBuilder;
import rlif.models.graph.Value;

/** The weight of one linear layer as the graph holds it: a float matrix, or quantized blocks. */
public sealed interface LinearWeight permits LinearWeight.Dense, BlockedLinear {
    /** Input features. */
    long in();

    /** Output features. */
    long out();

    /** {@code x @ W^T} for the Hugging Face weight {@code W [out, in]}. */
    Value times(GraphBuilder g, Value x);

    /** A float weight stored {@code [in, out]}. */
    record Dense(Value w) implements LinearWeight {
        @Override
        public long in() {
            return w.shape().sizes()[0];
        }

        @Override
        public long out() {
            return w.shape().sizes()[1];
        }

        @Override
        public Value times(GraphBuilder g, Value x) {
            return g.matMul(x, w);
        }
    }
}
