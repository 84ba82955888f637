package rlif.trainer.autodiff;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import rlif.models.graph.Attr;
import rlif.models.graph.GraphBuilder;
import rlif.models.graph.Value;
import rlif.models.tensor.DType;
import rlif.models.tensor.Tensors;

/**
 * Every vector-Jacobian rule against central finite differences, in float64 under ONNX Runtime on small
 * random shapes. With h = 1e-5 the central difference has truncation error O(h^2 f''') ~ 1e-10 and
 * rounding error ~ 1e-16 / h ~ 1e-11 for values of order 1, so 1e-6 leaves a wide margin while still
 * catching any wrong rule (a wrong rule is off by O(1)).
 */
class OperatorGradientsTest {
    static final double TOLERANCE = 1e-6;
    static final List<String> REPORT = new ArrayList<>();
    static double worst;

    record Case(String name, long[][] shapes, GradCheck.Forward f) {}

    static long[][] s(long[]... shapes) {
        return shapes;
    }

    static long[] d(long... dims) {
        return dims;
    }

    /** exp(x) + 0.5: a strictly positive input for Log, Sqrt, Div and Pow. */
    static Value positive(GraphBuilder g, Value x) {
        return g.add(g.exp(x), g.scalar(0.5, x.dtype()));
    }

    static Value longs(GraphBuilder g, long[] shape, long... v) {
        return g.constant(Tensors.ofLongs("idx", shape, v));
    }

    static List<Case> cases() {
        return List.of(
                new Case("Add broadcast [2,3,4]+[4]", s(d(2, 3, 4), d(4)), (g, x) -> g.add(x.get(0), x.get(1))),
                new Case("Add broadcast [2,1,4]+[3,1]", s(d(2, 1, 4), d(3, 1)), (g, x) -> g.add(x.get(0), x.get(1))),
                new Case("Sub broadcast", s(d(2, 3), d(1, 3)), (g, x) -> g.sub(x.get(0), x.get(1))),
                new Case("Mul broadcast", s(d(2, 3, 4), d(2, 1, 4)), (g, x) -> g.mul(x.get(0), x.get(1))),
                new Case("Div broadcast", s(d(2, 3), d(3)), (g, x) -> g.div(x.get(0), positive(g, x.get(1)))),
                new Case("Pow constant exponent", s(d(3, 4)), (g, x) -> g.pow(x.get(0), g.scalar(3, DType.F64))),
                new Case("Pow both", s(d(3, 4), d(4)), (g, x) -> g.pow(positive(g, x.get(0)), x.get(1))),
                new Case("Max", s(d(3, 4), d(3, 4)), (g, x) -> g.max(x.get(0), x.get(1))),
                new Case("Where", s(d(2, 3), d(2, 3)), (g, x) -> g.where(g.greater(x.get(0), g.scalar(0, DType.F64)),
                        g.mul(x.get(0), x.get(1)), x.get(1))),
                new Case("Neg", s(d(5)), (g, x) -> g.neg(x.get(0))),
                new Case("Exp", s(d(2, 3)), (g, x) -> g.exp(x.get(0))),
                new Case("Log", s(d(2, 3)), (g, x) -> g.log(positive(g, x.get(0)))),
                new Case("Sqrt", s(d(2, 3)), (g, x) -> g.sqrt(positive(g, x.get(0)))),
                new Case("Reciprocal", s(d(2, 3)), (g, x) -> g.reciprocal(positive(g, x.get(0)))),
                new Case("Sigmoid", s(d(2, 3)), (g, x) -> g.sigmoid(x.get(0))),
                new Case("Tanh", s(d(2, 3)), (g, x) -> g.tanh(x.get(0))),
                new Case("Sin", s(d(2, 3)), (g, x) -> g.sin(x.get(0))),
                new Case("Cos", s(d(2, 3)), (g, x) -> g.cos(x.get(0))),
                new Case("Abs", s(d(2, 3)), (g, x) -> g.abs(x.get(0))),
                new Case("Identity", s(d(2, 3)), (g, x) -> g.identity(x.get(0))),
                new Case("MatMul [2,3,4]@[4,5]", s(d(2, 3, 4), d(4, 5)), (g, x) -> g.matMul(x.get(0), x.get(1))),
                new Case("MatMul batched [2,3,4]@[2,4,5]", s(d(2, 3, 4), d(2, 4, 5)), (g, x) -> g.matMul(x.get(0), x.get(1))),
                new Case("MatMul broadcast [2,1,3,4]@[2,4,5]", s(d(2, 1, 3, 4), d(2, 4, 5)),
                        (g, x) -> g.matMul(x.get(0), x.get(1))),
                new Case("MatMul 2-D", s(d(3, 4), d(4, 2)), (g, x) -> g.matMul(x.get(0), x.get(1))),
                new Case("ReduceSum keepdims", s(d(2, 3, 4)), (g, x) -> g.reduceSum(x.get(0), true, 1)),
                new Case("ReduceSum two axes", s(d(2, 3, 4)), (g, x) -> g.reduceSum(x.get(0), false, 0, 2)),
                new Case("ReduceMean last axis", s(d(2, 3, 4)), (g, x) -> g.reduceMean(x.get(0), true, -1)),
                new Case("ReduceMean no keepdims", s(d(2, 3, 4)), (g, x) -> g.reduceMean(x.get(0), false, 1)),
                new Case("ReduceMax", s(d(2, 3, 4)), (g, x) -> g.reduceMax(x.get(0), false, -1)),
                new Case("Softmax last", s(d(2, 3, 5)), (g, x) -> g.softmax(x.get(0), -1)),
                new Case("Softmax middle", s(d(2, 3, 5)), (g, x) -> g.softmax(x.get(0), 1)),
                new Case("LogSoftmax", s(d(2, 3, 5)), (g, x) -> g.logSoftmax(x.get(0), -1)),
                new Case("Gather rows with repeats", s(d(5, 3)),
                        (g, x) -> g.gather(x.get(0), longs(g, d(2, 3), 0, 2, 2, 4, 0, 1), 0)),
                new Case("GatherElements last axis", s(d(2, 3, 5)), (g, x) -> g.op("GatherElements",
                        List.of(x.get(0), longs(g, d(2, 3, 1), 4, 0, 2, 1, 1, 3)), Map.of("axis", new Attr.Int(2)),
                        List.of(new Value("t", DType.F64, rlif.models.graph.Shape.of(2, 3, 1)))).getFirst()),
                new Case("Reshape", s(d(2, 3, 4)), (g, x) -> g.reshape(x.get(0), 0, 0, 2, 2)),
                new Case("Transpose", s(d(2, 3, 4)), (g, x) -> g.transpose(x.get(0), 2, 0, 1)),
                new Case("Unsqueeze", s(d(2, 3)), (g, x) -> g.unsqueeze(x.get(0), 1)),
                new Case("Squeeze", s(d(2, 1, 3)), (g, x) -> g.squeeze(x.get(0), 1)),
                new Case("Expand", s(d(3, 1)), (g, x) -> g.expand(x.get(0), g.ints(2, 3, 4),
                        rlif.models.graph.Shape.of(2, 3, 4))),
                new Case("Concat", s(d(2, 3), d(2, 2)), (g, x) -> g.concat(1, x.get(0), x.get(1))),
                new Case("Slice head", s(d(2, 6)), (g, x) -> g.slice(x.get(0), 1, 0, 3)),
                new Case("Slice tail negative", s(d(2, 6)), (g, x) -> g.slice(x.get(0), 1, -2, Long.MAX_VALUE)),
                new Case("Slice middle two axes", s(d(4, 6)), (g, x) -> g.slice(x.get(0), new long[] {1, 2},
                        new long[] {3, 5}, new long[] {0, 1}, new long[] {1, 1})),
                new Case("Trilu", s(d(2, 3, 3)), (g, x) -> g.trilu(x.get(0), false, 0)));
    }

    @TestFactory
    Stream<DynamicTest> everyRuleMatchesCentralFiniteDifferencesInFloat64() {
        return cases().stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> {
            GradCheck.Result r = GradCheck.run(DType.F64, c.shapes(), c.f(), 42, 1e-5);
            synchronized (REPORT) {
                REPORT.add(c.name() + ": max error " + r.maxError() + " over " + r.elements() + " elements");
                worst = Math.max(worst, r.maxError());
            }
            assertThat(r.maxError()).as(c.name()).isLessThan(TOLERANCE);
        }));
    }

    @TestFactory
    Stream<DynamicTest> castRuleMatchesInFloat32() {
        // float32 forward: central differences with h = 1e-2 on values of order 1 carry ~1e-4 error
        return Stream.of(DynamicTest.dynamicTest("Cast f32->f64->f32", () -> {
            GradCheck.Result r = GradCheck.run(DType.F32, s(d(2, 3)), (g, x) -> g.cast(g.mul(g.cast(x.get(0), DType.F64),
                    g.cast(x.get(0), DType.F64)), DType.F32), 3, 1e-2);
            assertThat(r.maxError()).isLessThan(1e-3);
        }));
    }

    @TestFactory
    Stream<DynamicTest> erfRuleMatchesInFloat32() {
        // ORT implements Erf for float32 only; central differences with h = 1e-2 on a function whose third
        // derivative is at most 2.3 have truncation error below 4e-5, plus float32 rounding ~ 1e-7 / h = 1e-5
        return Stream.of(DynamicTest.dynamicTest("Erf", () -> {
            GradCheck.Result r = GradCheck.run(DType.F32, s(d(2, 3)), (g, x) -> g.erf(x.get(0)), 5, 1e-2);
            assertThat(r.maxError()).isLessThan(5e-4);
        }));
    }

    @AfterAll
    static void printSummary() {
        System.out.println("[gradcheck] " + REPORT.size() + " operator cases, worst error " + worst);
        REPORT.forEach(l -> System.out.println("[gradcheck]   " + l));
    }
}
