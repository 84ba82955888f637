package rlif.models.generation;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.ByteBuffer;
import java.nio.DoubleBuffer;
import java.nio.LongBuffer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import rlif.models.graph.Dim;
import rlif.models.graph.GraphBuilder;
import rlif.models.graph.Shape;
import rlif.models.graph.Value;
import rlif.models.tensor.DType;
import rlif.models.tensor.Tensor;

/**
 * Test harness: a Loop that draws one token per row per step from fixed logits with {@link TokenDraw} and
 * {@link RowRandom}, exactly as the generation graph's body does, and returns the tokens and uniform numbers
 * ({@code [steps, rows]}).
 */
final class SamplerGraph implements AutoCloseable {
    private final OrtEnvironment env = OrtEnvironment.getEnvironment();
    private final OrtSession session;

    SamplerGraph(int vocab) throws OrtException {
        GraphBuilder g = new GraphBuilder("sampler");
        Dim rows = Dim.sym("rows");
        Value logits = g.input("logits", DType.F64, Shape.of(rows, Dim.of(vocab)));
        Value t = g.input("temperature", DType.F64, Shape.scalar());
        Value topK = g.input("top_k", DType.I64, Shape.scalar());
        Value topP = g.input("top_p", DType.F64, Shape.scalar());
        Value steps = g.input("steps", DType.I64, Shape.scalar());
        Value rng = g.input("rng", DType.I64, Shape.of(rows, Dim.of(2)));
        Value full = g.equal(topK, g.int64(0));
        Value k = g.reshape(g.min(g.where(full, g.int64(1), topK), g.int64(vocab)), 1);
        GraphBuilder body = g.subgraph("body");
        body.input("iter", DType.I64, Shape.scalar());
        body.input("cond", DType.BOOL, Shape.scalar());
        Value state = body.input("state", DType.I64, Shape.of(rows, Dim.of(2)));
        Value logp = body.logSoftmax(body.div(logits, t), -1);
        RowRandom.Step draw = RowRandom.next(body, state);
        Value token = TokenDraw.draw(body, logp, body.exp(logp), draw.u(), full, k, topP);
        body.output("cond_out", body.identity(body.value("cond")));
        body.output("state_out", draw.state());
        body.output("token", token);
        body.output("u", draw.u());
        ByteBuffer yes = ByteBuffer.wrap(new byte[] {1});
        List<Value> outs = g.loop(steps, g.constant(new Tensor("t", DType.BOOL, new long[0], yes)), List.of(rng), body,
                Dim.sym("steps"));
        g.output("tokens", outs.get(1));
        g.output("us", outs.get(2));
        try (OrtSession.SessionOptions so = new OrtSession.SessionOptions()) {
            so.setIntraOpNumThreads(1);
            session = env.createSession(g.toModel().toByteArray(), so);
        }
    }

    /** Tokens and uniform numbers, {@code [steps][rows]}. */
    record Draws(long[][] tokens, double[][] us) {}

    Draws run(double[][] logits, double temperature, long topK, double topP, int steps, long[] seeds) throws OrtException {
        int rows = logits.length;
        int vocab = logits[0].length;
        double[] flat = new double[rows * vocab];
        long[] rng = new long[2 * rows];
        for (int r = 0; r < rows; r++) {
            System.arraycopy(logits[r], 0, flat, r * vocab, vocab);
            long[] s = RowRandom.initialState(seeds[r]);
            rng[2 * r] = s[0];
            rng[2 * r + 1] = s[1];
        }
        Map<String, OnnxTensor> in = new HashMap<>();
        try {
            in.put("logits", OnnxTensor.createTensor(env, DoubleBuffer.wrap(flat), new long[] {rows, vocab}));
            in.put("temperature", OnnxTensor.createTensor(env, DoubleBuffer.wrap(new double[] {temperature}), new long[0]));
            in.put("top_k", OnnxTensor.createTensor(env, LongBuffer.wrap(new long[] {topK}), new long[0]));
            in.put("top_p", OnnxTensor.createTensor(env, DoubleBuffer.wrap(new double[] {topP}), new long[0]));
            in.put("steps", OnnxTensor.createTensor(env, LongBuffer.wrap(new long[] {steps}), new long[0]));
            in.put("rng", OnnxTensor.createTensor(env, LongBuffer.wrap(rng), new long[] {rows, 2}));
            try (OrtSession.Result res = session.run(in)) {
                LongBuffer tb = ((OnnxTensor) res.get("tokens").orElseThrow()).getLongBuffer();
                DoubleBuffer ub = ((OnnxTensor) res.get("us").orElseThrow()).getDoubleBuffer();
                long[][] tokens = new long[steps][rows];
                double[][] us = new double[steps][rows];
                for (int s = 0; s < steps; s++) {
                    tb.get(tokens[s]);
                    ub.get(us[s]);
                }
                return new Draws(tokens, us);
            }
        } finally {
            in.values().forEach(OnnxTensor::close);
        }
    }

    @Override
    public void close() throws OrtException {
        session.close();
    }
}
