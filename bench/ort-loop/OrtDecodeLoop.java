import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtLoggingLevel;
import ai.onnxruntime.OrtSession;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * A bare ONNX Runtime decode loop on the GPT-2 fixture (ORT-GenAI's {@code past.onnx}: int32 ids, five stacked
 * {@code past_i} caches), with none of rlif's engine around it: what one decode step costs through ORT's Java API
 * when ORT allocates each step's present outputs ({@code returned}) against binding them to two alternating sets of
 * direct buffers ({@code bound}, 16-byte aligned as allocateDirect gives them; {@code bound64}, 64-byte aligned as
 * rlif's PresentBuffers). The three are interleaved in one JVM after a warm-up; it prints the median and fastest
 * microseconds per generated token (a 32-token prefill, then 128 decode steps). docs/rollout-engine.md has the numbers.
 *
 * <pre>
 * java --enable-native-access=ALL-UNNAMED \
 *   -cp ~/.m2/repository/com/microsoft/onnxruntime/onnxruntime/1.29.0/onnxruntime-1.29.0.jar \
 *   bench/ort-loop/OrtDecodeLoop.java ../shared/fixtures/ort-genai/tiny-random-gpt2-fp32/past.onnx THREADS spin|nospin ROUNDS BATCH
 * </pre>
 */
public class OrtDecodeLoop {
    static final int LAYERS = 5, HEADS = 4, HEAD_SIZE = 8, VOCAB = 1000, PROMPT = 32, NEW = 128;
    static final String[] VARIANTS = {"returned", "bound", "bound64"};
    static final OrtEnvironment ENV = OrtEnvironment.getEnvironment(OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR);

    public static void main(String[] args) throws OrtException {
        String model = args[0];
        int threads = Integer.parseInt(args[1]);
        boolean spin = args[2].equals("spin");
        int rounds = Integer.parseInt(args[3]);
        int batch = Integer.parseInt(args[4]);
        try (OrtSession.SessionOptions so = new OrtSession.SessionOptions()) {
            so.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            so.setIntraOpNumThreads(threads);
            if (!spin) {
                so.addConfigEntry("session.intra_op.allow_spinning", "0");
            }
            try (OrtSession session = ENV.createSession(model, so)) {
                for (int w = 0; w < 30; w++) {
                    for (int v = 0; v < VARIANTS.length; v++) {
                        generate(session, v, batch);
                    }
                }
                double[][] micros = new double[VARIANTS.length][rounds];
                for (int r = 0; r < rounds; r++) {
                    for (int v = 0; v < VARIANTS.length; v++) {
                        long t0 = System.nanoTime();
                        generate(session, v, batch);
                        micros[v][r] = (System.nanoTime() - t0) / 1e3 / NEW;
                    }
                }
                for (int v = 0; v < VARIANTS.length; v++) {
                    double[] x = micros[v].clone();
                    Arrays.sort(x);
                    System.out.printf("%-9s threads %d spin %-5s batch %2d: %.1f us per step (median of %d), fastest %.1f%n",
                            VARIANTS[v], threads, spin, batch, x[x.length / 2], rounds, x[0]);
                }
            }
        }
    }

    static ByteBuffer direct(long bytes) {
        return ByteBuffer.allocateDirect(Math.toIntExact(bytes)).order(ByteOrder.nativeOrder());
    }

    static ByteBuffer head(ByteBuffer b, long bytes) {
        return b.duplicate().clear().limit(Math.toIntExact(bytes)).slice().order(ByteOrder.nativeOrder());
    }

    static OnnxTensor ints(ByteBuffer b, long[] shape) throws OrtException {
        return OnnxTensor.createTensor(ENV, b, shape, OnnxJavaType.INT32);
    }

    /** A prefill of PROMPT ids per row, then NEW decode steps, presents as {@code VARIANTS[variant]} says. */
    static void generate(OrtSession session, int variant, int batch) throws OrtException {
        int maxLen = PROMPT + NEW;
        ByteBuffer ids = direct(4L * batch * PROMPT);
        ByteBuffer pos = direct(4L * batch * PROMPT);
        for (int i = 0; i < batch * PROMPT; i++) {
            ids.putInt(100 + (i * 7) % 800);
            pos.putInt(i % PROMPT);
        }
        ids.flip();
        pos.flip();
        ByteBuffer mask = direct(4L * batch * maxLen);
        for (int i = 0; i < batch * maxLen; i++) {
            mask.putInt(1);
        }
        ByteBuffer logits = direct(4L * batch * PROMPT * VOCAB);
        Set<String> presentNames = new LinkedHashSet<>();
        Map<String, OnnxTensor> in = new HashMap<>();
        long[] promptShape = {batch, PROMPT};
        in.put("input_ids", ints(ids, promptShape));
        in.put("position_ids", ints(pos, promptShape));
        in.put("attention_mask", ints(head(mask, 4L * batch * PROMPT), promptShape));
        for (int l = 0; l < LAYERS; l++) {
            in.put("past_" + l, OnnxTensor.createTensor(ENV, direct(0), new long[] {2, batch, HEADS, 0, HEAD_SIZE},
                    OnnxJavaType.FLOAT));
            presentNames.add("present_" + l);
        }
        OrtSession.Result result;
        try (OnnxTensor prefillLogits = OnnxTensor.createTensor(ENV, head(logits, 4L * batch * PROMPT * VOCAB),
                new long[] {batch, PROMPT, VOCAB}, OnnxJavaType.FLOAT)) {
            result = session.run(in, presentNames, Map.of("logits", prefillLogits));
        }
        for (OnnxTensor t : in.values()) {
            t.close();
        }
        OnnxTensor[] past = new OnnxTensor[LAYERS];
        for (int l = 0; l < LAYERS; l++) {
            past[l] = (OnnxTensor) result.get("present_" + l).get();
        }
        ByteBuffer stepIdBuf = direct(4L * batch);
        ByteBuffer stepPosBuf = direct(4L * batch);
        OnnxTensor stepIds = ints(stepIdBuf, new long[] {batch, 1});
        OnnxTensor stepPos = ints(stepPosBuf, new long[] {batch, 1});
        OnnxTensor stepLogits = OnnxTensor.createTensor(ENV, head(logits, 4L * batch * VOCAB),
                new long[] {batch, 1, VOCAB}, OnnxJavaType.FLOAT);
        long layerBytes = 4L * 2 * batch * HEADS * maxLen * HEAD_SIZE;
        ByteBuffer[][] sets = new ByteBuffer[2][LAYERS];
        for (int k = 0; variant > 0 && k < 2; k++) {
            for (int l = 0; l < LAYERS; l++) {
                sets[k][l] = variant == 2 ? direct(layerBytes + 64).alignedSlice(64) : direct(layerBytes);
            }
        }
        OnnxTensor[] bound = null;
        Map<String, OnnxValue> out = new HashMap<>();
        long cached = PROMPT;
        for (int step = 0; step < NEW; step++) {
            for (int b = 0; b < batch; b++) {
                stepIdBuf.putInt(4 * b, 100 + step % 800);
                stepPosBuf.putInt(4 * b, (int) cached);
            }
            long total = cached + 1;
            in.clear();
            in.put("input_ids", stepIds);
            in.put("position_ids", stepPos);
            OnnxTensor stepMask = ints(head(mask, 4L * batch * total), new long[] {batch, total});
            in.put("attention_mask", stepMask);
            OnnxTensor[] source = bound != null ? bound : past;
            for (int l = 0; l < LAYERS; l++) {
                in.put("past_" + l, source[l]);
            }
            if (variant == 0) {
                OrtSession.Result next = session.run(in, presentNames, Map.of("logits", stepLogits));
                result.close();
                result = next;
                for (int l = 0; l < LAYERS; l++) {
                    past[l] = (OnnxTensor) result.get("present_" + l).get();
                }
            } else {
                out.clear();
                out.put("logits", stepLogits);
                OnnxTensor[] present = new OnnxTensor[LAYERS];
                for (int l = 0; l < LAYERS; l++) {
                    present[l] = OnnxTensor.createTensor(ENV, head(sets[step & 1][l], 4L * 2 * batch * HEADS * total * HEAD_SIZE),
                            new long[] {2, batch, HEADS, total, HEAD_SIZE}, OnnxJavaType.FLOAT);
                    out.put("present_" + l, present[l]);
                }
                session.run(in, out).close();
                if (bound != null) {
                    for (OnnxTensor t : bound) {
                        t.close();
                    }
                }
                bound = present;
            }
            stepMask.close();
            cached++;
        }
        result.close();
        if (bound != null) {
            for (OnnxTensor t : bound) {
                t.close();
            }
        }
        stepIds.close();
        stepPos.close();
        stepLogits.close();
    }
}
