package rlif.spark;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.expressions.GenericRowWithSchema;
import org.junit.jupiter.api.Test;
import rlif.evaluator.report.RolloutRow;

/** A rollout survives the Parquet form field for field, including the numbers JSONL writes as null. */
class RolloutSchemaTest {
    static RolloutRow roundTrip(RolloutRow r) {
        Row plain = RolloutSchema.toRow("step-8", r);
        Object[] values = new Object[plain.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = plain.get(i);
        }
        Row withSchema = new GenericRowWithSchema(values, RolloutSchema.SCHEMA);
        assertThat((String) withSchema.getAs(RolloutSchema.MODEL)).isEqualTo("step-8");
        return RolloutSchema.fromRow(withSchema);
    }

    @Test
    void everyFieldSurvivesAsTheSameRolloutsJsonlLine() {
        RolloutRow r = new RolloutRow(3, "q3", 1, "compute 3 + 4", "plain", new int[] {1, 40, 41}, "3 + 4 = 7\n#### 7",
                new int[] {5, 9, 2}, "eos", 3, 0.25, 7.5, 0.3, -0.9, "7", "7", true, new double[] {-0.1, -0.5, -0.3},
                new double[] {0.2, 0.3, Double.NaN}, new double[] {7.1, 7.2, 7.3});
        assertThat(roundTrip(r).toJsonLine()).isEqualTo(r.toJsonLine());
    }

    @Test
    void nonFiniteSignalsAndMissingAnswersStayMissing() {
        RolloutRow r = new RolloutRow(0, "0", 0, "", new int[0], "non_finite", 0, Double.NaN, Double.NaN, Double.NaN,
                Double.NaN, null, null, null, null, null, null);
        RolloutRow back = roundTrip(r);
        assertThat(back.toJsonLine()).isEqualTo(r.toJsonLine());
        assertThat(back.tokenEntropy()).isNaN();
        assertThat(back.correct()).isNull();
        assertThat(back.tokenLogprobs()).isNull();
    }
}
