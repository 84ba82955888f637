package rlif.spark;

import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import rlif.evaluator.report.RolloutRow;

/**
 * The Parquet form of a {@code rollouts.jsonl} row: the same fields with the same names, plus {@code model},
 * the partition column. A number JSONL writes as null (NaN, infinite) is null here too, and reads back as NaN.
 */
final class RolloutSchema {
    static final String MODEL = "model";

    static final StructType SCHEMA = new StructType(new StructField[] {
        field("prompt_index", DataTypes.IntegerType, false),
        field("id", DataTypes.StringType, true),
        field("sample", DataTypes.IntegerType, false),
        field("prompt", DataTypes.StringType, true),
        field("prompt_format", DataTypes.StringType, true),
        field("prompt_ids", DataTypes.createArrayType(DataTypes.IntegerType, false), true),
        field("completion", DataTypes.StringType, true),
        field("completion_ids", DataTypes.createArrayType(DataTypes.IntegerType, false), false),
        field("finish_reason", DataTypes.StringType, false),
        field("num_tokens", DataTypes.IntegerType, false),
        field("token_entropy", DataTypes.DoubleType, true),
        field("self_certainty", DataTypes.DoubleType, true),
        field("trajectory_entropy", DataTypes.DoubleType, true),
        field("sum_logprob", DataTypes.DoubleType, true),
        field("answer", DataTypes.StringType, true),
        field("reference", DataTypes.StringType, true),
        field("correct", DataTypes.BooleanType, true),
        field("token_logprobs", DataTypes.createArrayType(DataTypes.DoubleType, true), true),
        field("token_entropies", DataTypes.createArrayType(DataTypes.DoubleType, true), true),
        field("token_self_certainties", DataTypes.createArrayType(DataTypes.DoubleType, true), true),
        field(MODEL, DataTypes.StringType, false),
    });

    private RolloutSchema() {}

    private static StructField field(String name, org.apache.spark.sql.types.DataType type, boolean nullable) {
        return DataTypes.createStructField(name, type, nullable);
    }

    static Row toRow(String model, RolloutRow r) {
        return RowFactory.create(r.promptIndex(), r.id(), r.sample(), r.prompt(), r.promptFormat(),
                r.promptIds() == null ? null : boxed(r.promptIds()), r.completion(), boxed(r.completionIds()),
                r.finishReason(), r.numTokens(), finite(r.tokenEntropy()), finite(r.selfCertainty()),
                finite(r.trajectoryEntropy()), finite(r.sumLogprob()), r.answer(), r.reference(), r.correct(),
                boxed(r.tokenLogprobs()), boxed(r.tokenEntropies()), boxed(r.tokenSelfCertainties()), model);
    }

    /** Reads a row by field name, so any projection that keeps the fields it needs will do. */
    static RolloutRow fromRow(Row row) {
        return new RolloutRow(
                row.getInt(row.fieldIndex("prompt_index")),
                row.getString(row.fieldIndex("id")),
                row.getInt(row.fieldIndex("sample")),
                optionalString(row, "prompt"),
                has(row, "prompt_format") ? optionalString(row, "prompt_format") : "plain",
                has(row, "prompt_ids") && !row.isNullAt(row.fieldIndex("prompt_ids")) ? ints(row, "prompt_ids") : null,
                optionalString(row, "completion"),
                ints(row, "completion_ids"),
                row.getString(row.fieldIndex("finish_reason")),
                row.getInt(row.fieldIndex("num_tokens")),
                number(row, "token_entropy"),
                number(row, "self_certainty"),
                number(row, "trajectory_entropy"),
                number(row, "sum_logprob"),
                optionalString(row, "answer"),
                optionalString(row, "reference"),
                row.isNullAt(row.fieldIndex("correct")) ? null : row.getBoolean(row.fieldIndex("correct")),
                doubles(row, "token_logprobs"),
                doubles(row, "token_entropies"),
                doubles(row, "token_self_certainties"));
    }

    private static Double finite(double v) {
        return Double.isFinite(v) ? v : null;
    }

    private static Integer[] boxed(int[] a) {
        Integer[] b = new Integer[a.length];
        for (int i = 0; i < a.length; i++) {
            b[i] = a[i];
        }
        return b;
    }

    private static Double[] boxed(double[] a) {
        if (a == null) {
            return null;
        }
        Double[] b = new Double[a.length];
        for (int i = 0; i < a.length; i++) {
            b[i] = finite(a[i]);
        }
        return b;
    }

    private static boolean has(Row row, String field) {
        return java.util.Arrays.asList(row.schema().fieldNames()).contains(field);
    }

    private static String optionalString(Row row, String field) {
        return !has(row, field) || row.isNullAt(row.fieldIndex(field)) ? null : row.getString(row.fieldIndex(field));
    }

    private static double number(Row row, String field) {
        return row.isNullAt(row.fieldIndex(field)) ? Double.NaN : row.getDouble(row.fieldIndex(field));
    }

    private static int[] ints(Row row, String field) {
        if (!has(row, field)) {
            return new int[0];
        }
        return list(row, field).stream().mapToInt(x -> ((Number) x).intValue()).toArray();
    }

    private static double[] doubles(Row row, String field) {
        if (!has(row, field) || row.isNullAt(row.fieldIndex(field))) {
            return null;
        }
        return list(row, field).stream().mapToDouble(x -> x == null ? Double.NaN : ((Number) x).doubleValue()).toArray();
    }

    /** An array column as a list: a Scala sequence as Spark reads it, or the Java array {@link #toRow} made. */
    private static List<?> list(Row row, String field) {
        Object v = row.get(row.fieldIndex(field));
        if (v instanceof scala.collection.Seq<?> seq) {
            return scala.jdk.javaapi.CollectionConverters.asJava(seq);
        }
        if (v instanceof Object[] array) {
            return java.util.Arrays.asList(array);
        }
        return (List<?>) v;
    }
}
