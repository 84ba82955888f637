package rlif.evaluator.compare;

import java.nio.file.Path;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One model of a multi-model run: the sub-folder name its results go to, its directory, and the training step
 * when the directory is named {@code step-N} (as {@code rlif train} names its checkpoints).
 */
public record ScoredModel(String name, Path dir) {
    private static final Pattern STEP = Pattern.compile("step-(\\d{1,9})");

    /** N for a directory named {@code step-N}; empty otherwise. */
    public OptionalInt step() {
        Path last = dir.getFileName();
        Matcher m = STEP.matcher(last == null ? "" : last.toString());
        return m.matches() ? OptionalInt.of(Integer.parseInt(m.group(1))) : OptionalInt.empty();
    }
}
