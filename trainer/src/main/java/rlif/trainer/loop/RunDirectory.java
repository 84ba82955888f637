package rlif.trainer.loop;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import rlif.models.BadInputException;
import rlif.models.io.AtomicFiles;

/**
 * A run's {@code --out}: where its files go, and the one place that decides whether a run may write there: a
 * fresh or empty directory, or with {@code --resume} one holding a run of the same config (same digest).
 * {@code run.json} records the config as written and as resolved, and the data split.
 */
final class RunDirectory {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private final Path out;

    RunDirectory(Path out) {
        this.out = out;
    }

    Path metrics() {
        return out.resolve("metrics.jsonl");
    }

    Path checkpoints() {
        return out.resolve("checkpoints");
    }

    Path report() {
        return out.resolve("report.html");
    }

    /** Scratch space: the policy decoder, tokenizer copies. */
    Path work() {
        return out.resolve(".work");
    }

    /**
     * Deletes {@link #work()} once a run has finished: the policy decoder and training graph there are a copy of the
     * model (about 1 GB for SmolLM2) that a resumed run writes afresh anyway. A run that stops early keeps it.
     */
    void removeScratch() {
        try {
            AtomicFiles.deleteRecursively(work());
        } catch (IOException e) {
            throw new UncheckedIOException("the run finished, but its scratch directory " + work()
                    + " could not be removed: " + e.getMessage(), e);
        }
    }

    Path initModel() {
        return out.resolve("init-model");
    }

    /**
     * Makes {@code --out} ready for this run, or refuses: a file in the way, a finished or interrupted run without
     * {@code --resume}, or {@code --resume} of a run with another config. Then writes {@code run.json}.
     */
    void prepare(boolean resume, String digest, ObjectNode runJson) {
        Path runFile = out.resolve("run.json");
        try {
            if (Files.exists(out) && !Files.isDirectory(out)) {
                throw new BadInputException("--out " + out + " is a file, not a directory");
            }
            if (!resume && Files.exists(metrics())) {
                throw new BadInputException("--out " + out + " already holds a run (metrics.jsonl); pass --resume to"
                        + " continue it or choose another --out");
            }
            if (resume && Files.exists(runFile)) {
                String previous;
                try {
                    previous = JSON.readTree(runFile.toFile()).path("config_digest").asText();
                } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                    throw new BadInputException("--resume: " + runFile + " is not valid JSON; it cannot say which config"
                            + " wrote this run", e);
                }
                if (!previous.equals(digest)) {
                    throw new BadInputException("--resume: " + out + " was written with a different config; use the"
                            + " same config or another --out");
                }
            }
            Files.createDirectories(out);
            ObjectNode json = JSON.createObjectNode();
            json.put("config_digest", digest);
            json.setAll(runJson);
            AtomicFiles.writeString(runFile, JSON.writeValueAsString(json) + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare " + out + ": " + e.getMessage(), e);
        }
    }
}
