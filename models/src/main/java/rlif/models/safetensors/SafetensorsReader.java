package rlif.models.safetensors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import rlif.models.BadInputException;
import rlif.models.tensor.Tensor;

/**
 * The weights of a Hugging Face model folder: {@code model.safetensors}, or shards listed by
 * {@code model.safetensors.index.json} ({@code weight_map}: tensor name to shard file name).
 *
 * <p>Shard names must be plain file names inside the folder: a hostile index cannot make us open files elsewhere.
 */
public final class SafetensorsReader implements AutoCloseable {
    public static final String SINGLE_FILE = "model.safetensors";
    public static final String INDEX_FILE = "model.safetensors.index.json";
    /** An index is a small JSON map; anything bigger than this is not one. */
    private static final long MAX_INDEX_BYTES = 64L << 20;

    private final Path source;
    private final List<SafetensorsFile> files;
    private final Map<String, SafetensorsFile> owner;

    private SafetensorsReader(Path source, List<SafetensorsFile> files, Map<String, SafetensorsFile> owner) {
        this.source = source;
        this.files = files;
        this.owner = Collections.unmodifiableMap(owner);
    }

    /** Opens a model folder (single or sharded) or one {@code .safetensors} file. */
    public static SafetensorsReader open(Path path) {
        if (Files.isRegularFile(path)) {
            SafetensorsFile f = SafetensorsFile.open(path);
            Map<String, SafetensorsFile> owner = new LinkedHashMap<>();
            f.tensors().keySet().forEach(n -> owner.put(n, f));
            return new SafetensorsReader(path, List.of(f), owner);
        }
        if (!Files.isDirectory(path)) {
            throw new BadInputException(path + ": no such safetensors file or model folder");
        }
        Path index = path.resolve(INDEX_FILE);
        if (Files.isRegularFile(index)) {
            return openSharded(path, index);
        }
        Path single = path.resolve(SINGLE_FILE);
        if (Files.isRegularFile(single)) {
            return open(rlif.models.io.ContainedPaths.confine(path, single, "weights file", path.toString()));
        }
        throw new BadInputException(path + ": neither " + SINGLE_FILE + " nor " + INDEX_FILE + " found");
    }

    private static SafetensorsReader openSharded(Path dir, Path index) {
        JsonNode weightMap;
        try {
            if (Files.size(index) > MAX_INDEX_BYTES) {
                throw new BadInputException(index + ": " + Files.size(index) + " bytes is too large for an index");
            }
            weightMap = new ObjectMapper().readTree(index.toFile()).path("weight_map");
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw new BadInputException(index + ": not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + index + ": " + e.getMessage(), e);
        }
        if (!weightMap.isObject() || weightMap.isEmpty()) {
            throw new BadInputException(index + ": weight_map is missing or empty");
        }
        Map<String, SafetensorsFile> byShard = new LinkedHashMap<>();
        Map<String, SafetensorsFile> owner = new LinkedHashMap<>();
        List<SafetensorsFile> opened = new ArrayList<>();
        try {
            for (Map.Entry<String, JsonNode> e : weightMap.properties()) {
                if (!e.getValue().isTextual()) {
                    throw new BadInputException(index + ": weight_map entry '" + e.getKey() + "' is not a file name");
                }
                String shard = e.getValue().asText();
                SafetensorsFile f = byShard.get(shard);
                if (f == null) {
                    f = SafetensorsFile.open(confinedShard(dir, index, shard));
                    opened.add(f);
                    byShard.put(shard, f);
                }
                if (!f.tensors().containsKey(e.getKey())) {
                    throw new BadInputException(index + ": weight_map puts '" + e.getKey() + "' in " + shard
                            + ", which has no such tensor");
                }
                owner.put(e.getKey(), f);
            }
        } catch (RuntimeException e) {
            opened.forEach(SafetensorsFile::close);
            throw e;
        }
        return new SafetensorsReader(dir, List.copyOf(opened), owner);
    }

    /** Resolves a shard name that must be a plain file in {@code dir} (no separators, no '..', no symlink escape). */
    static Path confinedShard(Path dir, Path index, String shard) {
        if (shard.isEmpty() || shard.contains("/") || shard.contains("\\") || shard.equals("..")
                || shard.equals(".") || shard.indexOf('\0') >= 0) {
            throw new BadInputException(index + ": shard name '" + shard + "' must be a file name inside " + dir);
        }
        Path p = dir.resolve(shard).normalize();
        if (!Files.isRegularFile(p)) {
            throw new BadInputException(index + ": shard " + shard + " does not exist in " + dir);
        }
        return rlif.models.io.ContainedPaths.confine(dir, p, "shard", index.toString());
    }

    /** Where the weights were read from (a folder or a file). */
    public Path source() {
        return source;
    }

    /** Every tensor name, in index (or file) order. */
    public Set<String> names() {
        return owner.keySet();
    }

    public boolean contains(String name) {
        return owner.containsKey(name);
    }

    public SafetensorsTensorInfo info(String name) {
        SafetensorsFile f = owner.get(name);
        if (f == null) {
            throw new BadInputException(source + ": no tensor named '" + name + "'");
        }
        return f.tensors().get(name);
    }

    /** The tensor, memory-mapped from its shard. */
    public Tensor tensor(String name) {
        SafetensorsFile f = owner.get(name);
        if (f == null) {
            throw new BadInputException(source + ": no tensor named '" + name + "'");
        }
        return f.tensor(name);
    }

    @Override
    public void close() {
        files.forEach(SafetensorsFile::close);
    }
}
