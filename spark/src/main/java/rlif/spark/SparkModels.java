package rlif.spark;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import rlif.evaluator.compare.ModelPatterns;
import rlif.evaluator.compare.ScoredModel;
import rlif.models.BadInputException;

/**
 * The {@code --model} arguments of spark-score on any Hadoop file system: a directory, or a glob of them
 * ({@code hdfs://nn/run/checkpoints/step-*}) in natural order. A local directory keeps its absolute path, as
 * {@code rlif score} records it; a remote one its qualified URI.
 */
final class SparkModels {
    private SparkModels() {}

    static List<ScoredModel> resolve(Configuration hadoop, List<String> args) {
        List<String> locations = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (String arg : args) {
            for (String location : expand(hadoop, arg)) {
                if (!seen.add(location)) {
                    throw new BadInputException("--model " + location + " is given twice");
                }
                locations.add(location);
            }
        }
        return ModelPatterns.name(locations);
    }

    private static List<String> expand(Configuration hadoop, String arg) {
        try {
            Path path = new Path(arg);
            FileSystem fs = path.getFileSystem(hadoop);
            if (ModelPatterns.isGlob(arg)) {
                FileStatus[] matches = fs.globStatus(path);
                List<String> dirs = new ArrayList<>();
                for (FileStatus s : matches == null ? new FileStatus[0] : matches) {
                    if (s.isDirectory()) {
                        dirs.add(location(arg, fs, s.getPath()));
                    }
                }
                if (dirs.isEmpty()) {
                    throw new BadInputException("--model '" + arg + "' matches no directory");
                }
                dirs.sort(ModelPatterns::naturalCompare);
                return dirs;
            }
            FileStatus status;
            try {
                status = fs.getFileStatus(path);
            } catch (FileNotFoundException e) {
                throw new BadInputException("model directory " + arg + " does not exist");
            }
            if (!status.isDirectory()) {
                throw new BadInputException("model directory " + arg + " is not a directory");
            }
            return List.of(location(arg, fs, status.getPath()));
        } catch (IOException e) {
            throw new BadInputException("--model " + arg + ": cannot read it (" + e.getMessage() + ")", e);
        }
    }

    private static String location(String arg, FileSystem fs, Path path) {
        if (SparkData.isLocal(arg)) {
            return java.nio.file.Path.of(path.toUri().getPath()).toAbsolutePath().normalize().toString();
        }
        return fs.makeQualified(path).toString();
    }
}
