package rlif.spark;

import static org.apache.spark.sql.functions.col;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import rlif.evaluator.data.ArithSpec;
import rlif.evaluator.data.JsonlSource;
import rlif.evaluator.data.Problem;
import rlif.evaluator.data.ProblemSource;
import rlif.evaluator.data.ProblemSources;
import rlif.models.BadInputException;

/**
 * The problems of {@code --data}, read once on the driver by the same parser as {@code rlif score}
 * ({@link JsonlSource}), so both see the same problems and refuse the same rows: {@code arith[:...]}, a JSONL
 * file, or Parquet (a {@code .parquet} file or a directory of them) whose rows have the JSONL fields as columns,
 * in file and row order. A file on a remote file system is read through Hadoop.
 */
final class SparkData {
    private SparkData() {}

    /**
     * The data source as the settings record it: the canonical arith spec, the absolute path of a local file
     * (what {@code rlif score} records), or the URI of a remote one.
     */
    static String describe(String data) {
        if (ArithSpec.isArith(data)) {
            return ProblemSources.of(data).describe();
        }
        return isLocal(data) ? localPath(data).toString() : data;
    }

    /** The first {@code limit} problems (0: all) of the source {@link #describe} named. */
    static List<Problem> load(SparkSession spark, String data, int limit) {
        if (ArithSpec.isArith(data)) {
            return take(ProblemSources.of(data), limit, null, null, false);
        }
        org.apache.hadoop.fs.Path path = new org.apache.hadoop.fs.Path(data);
        boolean parquet;
        try {
            FileSystem fs = path.getFileSystem(spark.sparkContext().hadoopConfiguration());
            if (!fs.exists(path)) {
                throw new BadInputException("--data " + data + " does not exist or cannot be read");
            }
            parquet = data.endsWith(".parquet") || fs.getFileStatus(path).isDirectory();
        } catch (IOException e) {
            throw new BadInputException("cannot read --data " + data + ": " + e.getMessage(), e);
        }
        if (parquet) {
            return fromParquet(spark, data, limit);
        }
        if (isLocal(data)) {
            return take(ProblemSources.of(localPath(data).toString()), limit, null, null, false);
        }
        Path copy = localCopy(spark, data);
        return take(new JsonlSource(copy), limit, copy.toString(), data, false);
    }

    /**
     * Parquet rows in (file, row) order, each turned into the JSON object of its non-null columns and parsed as a
     * JSONL line, so the rules are the JSONL ones; errors name the row (1-based) as "line".
     */
    private static List<Problem> fromParquet(SparkSession spark, String data, int limit) {
        Dataset<Row> table;
        try {
            table = spark.read().parquet(data);
        } catch (RuntimeException e) {
            throw new BadInputException("--data " + data + " is not readable Parquet: " + firstLine(e.getMessage()), e);
        }
        Dataset<Row> ordered = table.select(col("*"), col("_metadata.file_path").as("__rlif_file"),
                        col("_metadata.row_index").as("__rlif_row"))
                .orderBy("__rlif_file", "__rlif_row").drop("__rlif_file", "__rlif_row");
        if (limit > 0) {
            ordered = ordered.limit(limit);
        }
        List<String> json = ordered.toJSON().collectAsList();
        try {
            Path dir = Files.createTempDirectory("rlif-data-");
            String name = new org.apache.hadoop.fs.Path(data).getName();
            Path file = dir.resolve(name.isEmpty() ? "data.parquet" : name);
            Files.write(file, json, StandardCharsets.UTF_8);
            file.toFile().deleteOnExit();
            dir.toFile().deleteOnExit();
            return take(new JsonlSource(file), limit, file.toString(), data, true);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot stage the rows of " + data + ": " + e.getMessage(), e);
        }
    }

    private static Path localCopy(SparkSession spark, String data) {
        try {
            org.apache.hadoop.fs.Path src = new org.apache.hadoop.fs.Path(data);
            Path dir = Files.createTempDirectory("rlif-data-");
            Path file = dir.resolve(src.getName());
            src.getFileSystem(spark.sparkContext().hadoopConfiguration())
                    .copyToLocalFile(false, src, new org.apache.hadoop.fs.Path(file.toUri()), true);
            file.toFile().deleteOnExit();
            dir.toFile().deleteOnExit();
            return file;
        } catch (IOException e) {
            throw new BadInputException("cannot read --data " + data + ": " + e.getMessage(), e);
        }
    }

    /**
     * Reads up to {@code limit} problems; bad input from a staged copy names {@code shownAs} instead, and a row of
     * Parquet as a row.
     */
    private static List<Problem> take(ProblemSource source, int limit, String staged, String shownAs, boolean rows) {
        List<Problem> problems = new ArrayList<>();
        try (ProblemSource.Problems it = source.open()) {
            while (it.hasNext() && (limit == 0 || problems.size() < limit)) {
                problems.add(it.next());
            }
        } catch (BadInputException e) {
            if (staged == null) {
                throw e;
            }
            String message = e.getMessage().replace(staged, shownAs);
            throw new BadInputException(rows ? message.replace(" line ", " row ") : message, e);
        }
        return problems;
    }

    static boolean isLocal(String data) {
        String scheme = URI.create(data.replace(" ", "%20")).getScheme();
        return scheme == null || scheme.equals("file");
    }

    private static Path localPath(String data) {
        URI uri = URI.create(data.replace(" ", "%20"));
        return (uri.getScheme() == null ? Path.of(data) : Path.of(uri)).toAbsolutePath().normalize();
    }

    private static String firstLine(String s) {
        return s == null ? "" : s.lines().findFirst().orElse("");
    }
}
