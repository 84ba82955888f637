package rlif.models.dir;

import java.nio.file.Path;

/** A file a model directory is made of, with its size in bytes. */
public record ModelFile(Path path, long bytes) {}
