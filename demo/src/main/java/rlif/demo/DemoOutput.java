package rlif.demo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import rlif.models.BadInputException;
import rlif.models.io.AtomicFiles;

/**
 * The demo's output directory: new, empty, or written by an earlier demo (recognised by its marker file). An
 * earlier demo with the same plan is resumed; with another plan its results are replaced. Anything else is
 * refused, so the demo never deletes a directory it did not write.
 */
final class DemoOutput {
    static final List<String> SUBDIRECTORIES = List.of("score", "mix", "runs");

    private DemoOutput() {}

    static void prepare(Path out, String marker, String planJson) {
        try {
            if (Files.exists(out) && !Files.isDirectory(out)) {
                throw new BadInputException("--out " + out + " is a file; expected a directory");
            }
            if (Files.isDirectory(out)) {
                boolean empty;
                try (var s = Files.list(out)) {
                    empty = s.findAny().isEmpty();
                }
                if (!empty && !Files.exists(out.resolve(marker))) {
                    throw new BadInputException("--out " + out + " is not empty and was not written by rlif demo;"
                            + " choose a new or empty directory");
                }
                Path plan = out.resolve("plan.json");
                if (!Files.isRegularFile(plan) || !Files.readString(plan).equals(planJson)) {
                    for (String sub : SUBDIRECTORIES) {
                        AtomicFiles.deleteRecursively(out.resolve(sub));
                    }
                }
            }
            Files.createDirectories(out);
            AtomicFiles.writeString(out.resolve(marker),
                    "written by rlif demo; a re-run with the same plan resumes, another plan replaces its results\n");
            AtomicFiles.writeString(out.resolve("plan.json"), planJson);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare --out " + out + ": " + e.getMessage(), e);
        }
    }
}
