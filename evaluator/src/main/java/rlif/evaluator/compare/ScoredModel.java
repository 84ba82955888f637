package rlif.evaluator.compare;

import java.nio.file.Path;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One model of a multi-model run: the sub-folder (or partition) name its results go to, and where it is: a
 * local directory, or for the Spark job any Hadoop file system URI. A directory named {@code step-N} (as
 * {@code rlif train} names its checkpoints) carries the training step N.
 */
public record ScoredModel(String name, String location) implements java.io.Serializable {
    private static final Pattern STEP = Pattern.compile("step-(\\d{1,9})");

    /** The location as a local directory. */
    public Path dir() {
        return Path.of(location);
    }

    /** N for a directory named {@code step-N}; empty otherwise. */
    public OptionalInt step() {
        String trimmed = location.replaceAll("/+$", "");
        Matcher m = STEP.matcher(trimmed.substring(trimmed.lastIndexOf('/') + 1));
        return m.matches() ? OptionalInt.of(Integer.parseInt(m.group(1))) : OptionalInt.empty();
    }
}
