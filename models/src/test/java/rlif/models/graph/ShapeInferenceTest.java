package rlif.models.graph;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import rlif.models.tensor.DType;

/** Build-time shape and type checks catch mistakes and name the node they happened at. */
class ShapeInferenceTest {
    private final GraphBuilder g = new GraphBuilder("t");
    private final Value x = g.input("x", DType.F32, Shape.parse("batch", "seq", 64));

    @Test
    void matMulInnerDimensionMismatchNamesTheNode() {
        Value w = g.input("w", DType.F32, Shape.parse(32, 8));
        try (var s = g.scope("layers.3.mlp")) {
            assertThatThrownBy(() -> g.matMul(x, w)).isInstanceOf(GraphException.class)
                    .hasMessageContaining("layers.3.mlp/MatMul_").hasMessageContaining("inner dimensions differ")
                    .hasMessageContaining("[batch,seq,64]").hasMessageContaining("[32,8]");
        }
    }

    @Test
    void broadcastOfDifferentSymbolsIsRejected() {
        Value y = g.input("y", DType.F32, Shape.parse("seq", "batch", 64));
        assertThatThrownBy(() -> g.add(x, y)).hasMessageContaining("Add_").hasMessageContaining("cannot broadcast");
    }

    @Test
    void broadcastKeepsSymbolsAndStretchesOnes() {
        Value y = g.input("y", DType.F32, Shape.parse("batch", 1, 1));
        assertThat(g.mul(x, y).shape()).isEqualTo(Shape.parse("batch", "seq", 64));
    }

    @Test
    void reshapeElementCountIsChecked() {
        Value s = g.input("s", DType.F32, Shape.of(4, 6));
        assertThatThrownBy(() -> g.reshape(s, 5, 5)).hasMessageContaining("Reshape_").hasMessageContaining("cannot reshape");
        assertThat(g.reshape(s, 2, -1).shape()).isEqualTo(Shape.of(2, 12));
    }

    @Test
    void reshapeInfersSymbolicMinusOne() {
        Value heads = g.reshape(x, 0, 0, 4, 16);
        Value grouped = g.reshape(g.transpose(heads, 0, 2, 1, 3), 0, 2, -1, 16);
        assertThat(grouped.shape()).isEqualTo(new Shape(java.util.List.of(Dim.sym("batch"), Dim.of(2), new Dim(2, java.util.List.of("seq")), Dim.of(16))));
        Value back = g.reshape(grouped, 0, 4, -1, 16);
        assertThat(back.shape()).isEqualTo(Shape.parse("batch", 4, "seq", 16));
    }

    @Test
    void concatOfCacheAndNewKeysSumsSymbols() {
        Value past = g.input("past", DType.F32, Shape.parse("batch", 2, "past_seq", 16));
        Value cur = g.input("cur", DType.F32, Shape.parse("batch", 2, "seq", 16));
        Value all = g.concat(2, past, cur);
        assertThat(all.dim(2)).isEqualTo(Dim.sym("past_seq").plus(Dim.sym("seq")));
        assertThat(all.dim(2).toString()).isEqualTo("past_seq+seq");
    }

    @Test
    void shiftedSlicesForTeacherForcingLineUp() {
        Value ids = g.input("ids", DType.I64, Shape.parse("batch", "seq"));
        Value logitsButLast = g.slice(x, 1, 0, -1);
        Value targets = g.slice(ids, 1, 1, Long.MAX_VALUE);
        assertThat(logitsButLast.dim(1)).isEqualTo(Dim.sym("seq-1"));
        assertThat(targets.dim(1)).isEqualTo(logitsButLast.dim(1));
        assertThat(g.slice(x, 1, -3, -1).dim(1)).isEqualTo(Dim.of(2));
        assertThat(g.slice(x, 1, 2, 5).dim(1)).isEqualTo(Dim.of(3));
    }

    @Test
    void mixedElementTypesAreRejected() {
        Value i = g.input("i", DType.I64, Shape.parse("batch", "seq", 64));
        assertThatThrownBy(() -> g.add(x, i)).hasMessageContaining("element types differ");
    }

    @Test
    void valuesOfAnotherGraphAreRejected() {
        GraphBuilder other = new GraphBuilder("other");
        Value y = other.input("y", DType.F32, Shape.parse(64));
        assertThatThrownBy(() -> g.add(x, y)).hasMessageContaining("not a value of graph t");
    }

    @Test
    void producersAndKindsAreRecordedForAutodiff() {
        Value y = g.sigmoid(x);
        Node n = g.producer(y);
        assertThat(n.opType()).isEqualTo("Sigmoid");
        assertThat(n.inputs()).containsExactly(x);
        assertThat(g.kind(x)).isEqualTo(GraphBuilder.Kind.INPUT);
        assertThat(g.kind(y)).isEqualTo(GraphBuilder.Kind.NODE_OUTPUT);
        assertThat(g.nodes()).last().isEqualTo(n);
    }
}
