package rlif.models.generation;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.DoubleBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import rlif.models.dir.ModelDirectory;
import rlif.models.tensor.DType;

/**
 * Test helper: runs a model directory's generation graph once on left-padded prompts and returns its raw
 * {@code [steps, batch]} outputs, with nothing of the evaluator's engine in between.
 */
public final class GenerationRun {
    /** The outputs of one run, indexed {@code [step][row]}. */
    public record Outputs(long[][] tokens, double[][] logsumexp, double[][] entropy, double[][] selfCertainty,
            double[][] logprob) {
        public int steps() {
            return tokens.length;
        }
    }

    private GenerationRun() {}

    /** One run: {@code topK = 1} is greedy, {@code 0} the whole distribution. */
    public static Outputs run(ModelDirectory model, GenerationModel graph, List<int[]> prompts, int maxNew,
            double temperature, long topK, double topP, long[] seeds) throws OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions so = new OrtSession.SessionOptions()) {
            so.setIntraOpNumThreads(1);
            Path dir = model.config().decoderFile().toAbsolutePath().getParent();
            so.addConfigEntry("session.model_external_initializers_file_folder_path", dir.toString());
            try (OrtSession s = env.createSession(graph.proto().toByteArray(), so)) {
                return run(env, s, model, prompts, maxNew, temperature, topK, topP, seeds);
            }
        }
    }

    static Outputs run(OrtEnvironment env, OrtSession s, ModelDirectory model, List<int[]> prompts, int maxNew,
            double temperature, long topK, double topP, long[] seeds) throws OrtException {
        int n = prompts.size();
        int width = prompts.stream().mapToInt(p -> p.length).max().orElseThrow();
        long[] ids = new long[n * width];
        long[] mask = new long[n * width];
        long[] pos = new long[n * width];
        long[] rng = new long[2 * n];
        for (int r = 0; r < n; r++) {
            int[] p = prompts.get(r);
            int pad = width - p.length;
            for (int c = 0; c < width; c++) {
                ids[r * width + c] = c < pad ? model.config().paddingId() : p[c - pad];
                mask[r * width + c] = c < pad ? 0 : 1;
                pos[r * width + c] = Math.max(0, c - pad);
            }
            long[] st = RowRandom.initialState(seeds[r]);
            rng[2 * r] = st[0];
            rng[2 * r + 1] = st[1];
        }
        Map<String, OnnxTensor> in = new HashMap<>();
        List<OnnxTensor> owned = new ArrayList<>();
        try {
            long[] shape = {n, width};
            boolean wide = model.config().inputIdType() == DType.I64;
            in.put(GenerationGraph.PROMPT_IDS, ids(env, ids, shape, wide));
            in.put(GenerationGraph.PROMPT_MASK, ids(env, mask, shape, wide));
            if (model.io().positionIds().isPresent()) {
                in.put(GenerationGraph.PROMPT_POSITIONS, ids(env, pos, shape, wide));
            }
            in.put(GenerationGraph.MAX_NEW_TOKENS, OnnxTensor.createTensor(env, LongBuffer.wrap(new long[] {maxNew}), new long[0]));
            in.put(GenerationGraph.TEMPERATURE, OnnxTensor.createTensor(env, DoubleBuffer.wrap(new double[] {temperature}), new long[0]));
            in.put(GenerationGraph.TOP_K, OnnxTensor.createTensor(env, LongBuffer.wrap(new long[] {topK}), new long[0]));
            in.put(GenerationGraph.TOP_P, OnnxTensor.createTensor(env, DoubleBuffer.wrap(new double[] {topP}), new long[0]));
            in.put(GenerationGraph.RNG_STATE, OnnxTensor.createTensor(env, LongBuffer.wrap(rng), new long[] {n, 2}));
            owned.addAll(in.values());
            try (OrtSession.Result res = s.run(in)) {
                LongBuffer tb = ((OnnxTensor) res.get(GenerationGraph.TOKENS).orElseThrow()).getLongBuffer();
                long[] tok = new long[tb.remaining()];
                tb.get(tok);
                int steps = tok.length / n;
                return new Outputs(split(tok, steps, n), doubles(res, 1, steps, n), doubles(res, 2, steps, n),
                        doubles(res, 3, steps, n), doubles(res, 4, steps, n));
            }
        } finally {
            owned.forEach(OnnxTensor::close);
        }
    }

    private static OnnxTensor ids(OrtEnvironment env, long[] v, long[] shape, boolean wide) throws OrtException {
        if (wide) {
            return OnnxTensor.createTensor(env, LongBuffer.wrap(v), shape);
        }
        int[] narrow = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            narrow[i] = (int) v[i];
        }
        return OnnxTensor.createTensor(env, IntBuffer.wrap(narrow), shape);
    }

    private static long[][] split(long[] flat, int steps, int n) {
        long[][] out = new long[steps][n];
        for (int t = 0; t < steps; t++) {
            System.arraycopy(flat, t * n, out[t], 0, n);
        }
        return out;
    }

    private static double[][] doubles(OrtSession.Result res, int output, int steps, int n) {
        DoubleBuffer b = ((OnnxTensor) res.get(GenerationGraph.OUTPUTS.get(output)).orElseThrow()).getDoubleBuffer();
        double[] flat = new double[b.remaining()];
        b.get(flat);
        double[][] out = new double[steps][n];
        for (int t = 0; t < steps; t++) {
            System.arraycopy(flat, t * n, out[t], 0, n);
        }
        return out;
    }
}
