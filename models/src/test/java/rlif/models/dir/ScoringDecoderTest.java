package rlif.models.dir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.onnx.proto.OnnxMl;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.nio.DoubleBuffer;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import rlif.models.BadInputException;
import rlif.models.graph.GraphBuilder;
import rlif.models.graph.GraphSignals;
import rlif.models.graph.Shape;
import rlif.models.graph.Value;
import rlif.models.tensor.DType;
import rlif.models.tensor.Tensor;

/**
 * The graph surgery that makes a decoder's scoring variant: on a small decoder written here (embedding, one
 * matrix to the logits) exported at opsets 11, 17 and 18, the variant runs under ONNX Runtime and gives the
 * signals of the logits computed in plain Java, in double, for the positions from {@code signal_start} on;
 * the lm_head cut is made where the graph allows it and not where it does not; the real decoders get it.
 */
class ScoringDecoderTest {
    private static final int VOCAB = 11;
    private static final int HIDDEN = 4;
    private final Random rnd = new Random(18);
    private final float[] embed = randn(VOCAB * HIDDEN);
    private final float[] head = randn(HIDDEN * VOCAB);
    private final float[] bias = randn(VOCAB);

    private float[] randn(int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (2 * rnd.nextGaussian());
        }
        return a;
    }

    /** {@code logits = embed[ids] @ head (+ bias)}, the bias added as a constant or (not cuttable) as an input. */
    private OnnxMl.ModelProto toyDecoder(long opset, String biasKind) {
        GraphBuilder g = new GraphBuilder("toy");
        Value ids = g.input("input_ids", DType.I64, Shape.parse("batch", "seq"));
        g.input("attention_mask", DType.I64, Shape.parse("batch", "seq"));
        Value h = g.gather(g.initializer("embed", Tensor.ofFloats("embed", new long[] {VOCAB, HIDDEN}, embed)), ids, 0);
        Value logits = g.matMul(h, g.initializer("head", Tensor.ofFloats("head", new long[] {HIDDEN, VOCAB}, head)));
        if (biasKind.equals("constant")) {
            logits = g.add(logits, g.initializer("bias", Tensor.ofFloats("bias", new long[] {VOCAB}, bias)));
        } else if (biasKind.equals("input")) {
            logits = g.add(logits, g.input("bias", DType.F32, Shape.of(VOCAB)));
        }
        g.output("logits", logits);
        OnnxMl.ModelProto m = g.toModel();
        return m.toBuilder().setOpsetImport(0, m.getOpsetImport(0).toBuilder().setVersion(opset)).build();
    }

    private static ModelConfig config(int context) {
        return new ModelConfig(ModelLayout.OPTIMUM, "toy", 1, 1, 1, HIDDEN, OptionalInt.of(HIDDEN), VOCAB, DType.I64,
                DType.F32, DType.F32, OptionalInt.empty(), Set.of(), OptionalInt.empty(), OptionalInt.of(context),
                Path.of("toy.onnx"), List.of(new ModelFile(Path.of("toy.onnx"), 1)));
    }

    private static final DecoderIo IO = new DecoderIo("input_ids", "attention_mask", java.util.Optional.empty(),
            java.util.Optional.empty(), "logits", CacheLayout.SEPARATE, List.of(), List.of());

    private static boolean cut(OnnxMl.ModelProto m) {
        return m.getGraph().getNodeList().stream().anyMatch(n -> n.getName().equals(ScoringDecoder.SCOPE + "/hidden_slice"));
    }

    /** Runs the variant on one row and checks every position from {@code start} against Java. */
    private void check(OnnxMl.ModelProto variant, boolean withBias, double t, int start) throws Exception {
        long[] ids = {3, 1, 7, 10, 0, 5};
        long[] targets = {1, 7, 10, 0, 5, 2};
        long[] shape = {1, ids.length};
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        Map<String, OnnxTensor> in = new HashMap<>();
        try (OrtSession s = env.createSession(variant.toByteArray(), new OrtSession.SessionOptions())) {
            in.put("input_ids", OnnxTensor.createTensor(env, LongBuffer.wrap(ids), shape));
            in.put("attention_mask", OnnxTensor.createTensor(env, LongBuffer.wrap(new long[] {1, 1, 1, 1, 1, 1}), shape));
            in.put(ScoringDecoder.TARGET_IDS, OnnxTensor.createTensor(env, LongBuffer.wrap(targets), shape));
            in.put(ScoringDecoder.TEMPERATURE, OnnxTensor.createTensor(env, t));
            in.put(ScoringDecoder.SIGNAL_START, OnnxTensor.createTensor(env, LongBuffer.wrap(new long[] {start}), new long[] {1}));
            if (s.getInputNames().contains("bias")) {
                in.put("bias", OnnxTensor.createTensor(env, java.nio.FloatBuffer.wrap(new float[VOCAB]), new long[] {VOCAB}));
            }
            try (OrtSession.Result r = s.run(in)) {
                DoubleBuffer[] out = new DoubleBuffer[4];
                for (int k = 0; k < 4; k++) {
                    OnnxTensor o = (OnnxTensor) r.get(GraphSignals.OUTPUTS.get(k)).orElseThrow();
                    assertThat(o.getInfo().getShape()).containsExactly(1, ids.length - start);
                    out[k] = o.getDoubleBuffer();
                }
                for (int p = start; p < ids.length; p++) {
                    double[] z = new double[VOCAB];
                    for (int j = 0; j < VOCAB; j++) {
                        double sum = withBias ? bias[j] : 0;
                        for (int c = 0; c < HIDDEN; c++) {
                            sum += (double) embed[(int) ids[p] * HIDDEN + c] * head[c * VOCAB + j];
                        }
                        z[j] = sum / t;
                    }
                    double m = java.util.Arrays.stream(z).max().orElseThrow();
                    double se = 0;
                    double mean = 0;
                    for (double v : z) {
                        se += Math.exp(v - m);
                        mean += v / VOCAB;
                    }
                    double lse = m + Math.log(se);
                    double h = 0;
                    for (double v : z) {
                        h += Math.exp(v - lse) * (lse - v);
                    }
                    int i = p - start;
                    // float32 logits (products of ~2 x ~2 over 4 terms): 1e-5 covers their rounding
                    assertThat(out[0].get(i)).as("logsumexp at %d", p).isCloseTo(lse, within(1e-5));
                    assertThat(out[1].get(i)).as("entropy at %d", p).isCloseTo(h, within(1e-5));
                    assertThat(out[2].get(i)).as("self-certainty at %d", p).isCloseTo(lse - mean - Math.log(VOCAB), within(1e-5));
                    assertThat(out[3].get(i)).as("log-prob at %d", p).isCloseTo(z[(int) targets[p]] - lse, within(1e-5));
                }
            }
        } finally {
            in.values().forEach(OnnxTensor::close);
        }
    }

    @Test
    void theVariantGivesTheSignalsOfItsLogitsAtEveryOpset() throws Exception {
        for (long opset : new long[] {11, 17, 18}) {
            for (String bias : List.of("none", "constant")) {
                OnnxMl.ModelProto variant = ScoringDecoder.attach(toyDecoder(opset, bias), IO, config(64));
                assertThat(cut(variant)).as("lm_head cut at opset %d, bias %s", opset, bias).isTrue();
                assertThat(variant.getGraph().getOutputList()).extracting(OnnxMl.ValueInfoProto::getName)
                        .containsExactlyElementsOf(GraphSignals.OUTPUTS);
                for (int start : new int[] {0, 2, 5}) {
                    check(variant, bias.equals("constant"), 0.7, start);
                }
            }
        }
    }

    @Test
    void logitsFromSomethingElseThanOneMatMulAreCutAfterwards() throws Exception {
        OnnxMl.ModelProto variant = ScoringDecoder.attach(toyDecoder(17, "input"), IO, config(64));
        assertThat(cut(variant)).isFalse();
        check(variant, false, 1.0, 3); // fed a zero bias
        check(variant, false, 1.0, 0);
    }

    @Test
    void opsetsOutsideElevenToTwentyOneAreRefusedByName() {
        assertThatThrownBy(() -> ScoringDecoder.attach(toyDecoder(10, "none"), IO, config(64)))
                .isInstanceOf(BadInputException.class).hasMessageContaining("opset 11 to 21").hasMessageContaining("opset 10");
    }

    @Test
    void realDecodersGetTheLmHeadCut() {
        for (Path dir : List.of(Path.of("arith-base"), SharedFixtures.gpt2(), SharedFixtures.llama())) {
            ModelDirectory model = ModelDirectory.open(dir);
            assertThat(cut(ScoringDecoder.of(model))).as("%s", dir).isTrue();
        }
    }
}
