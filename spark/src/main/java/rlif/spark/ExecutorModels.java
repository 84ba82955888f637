package rlif.spark;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import rlif.evaluator.data.Problem;
import rlif.evaluator.report.RolloutRow;
import rlif.evaluator.score.RolloutWork;
import rlif.evaluator.score.ScoreSettings;
import rlif.evaluator.score.ScoringModel;
import rlif.models.BadInputException;

/**
 * The models open in this executor JVM: one {@link ScoringModel} (one ONNX Runtime session) per model, shared
 * by the tasks that score it, which take turns batch by batch. At most {@code modelsPerExecutor} stay open once
 * idle; the least recently used idle one is closed first. A model on a remote file system is copied to local
 * disk once per executor host, since ONNX Runtime reads local files.
 */
final class ExecutorModels {
    /** Open models by the settings they were opened with (the model directory is one of them). */
    private static final Map<ScoreSettings, Entry> OPEN = new LinkedHashMap<>(16, 0.75f, true);
    /** How many models may stay open once idle, as the latest job asked (guarded by the class lock). */
    private static int keepOpen = 2;

    private ExecutorModels() {}

    private static final class Entry {
        final ScoreSettings settings;
        ScoringModel model;
        int users;

        Entry(ScoreSettings settings) {
            this.settings = settings;
        }
    }

    /** A task's hold on an open model; closing it lets the model be closed when too many are idle. */
    static final class Lease implements AutoCloseable {
        private final Entry entry;
        private boolean released;

        private Lease(Entry entry) {
            this.entry = entry;
        }

        int[] encode(Problem p) {
            synchronized (entry) {
                return entry.model.encode(p);
            }
        }

        /** One batch through the engine; the engine runs one batch at a time. */
        List<RolloutRow> score(List<RolloutWork> batch) {
            synchronized (entry) {
                return entry.model.score(batch);
            }
        }

        @Override
        public void close() {
            synchronized (ExecutorModels.class) {
                if (!released) {
                    released = true;
                    entry.users--;
                    closeIdle();
                }
            }
        }
    }

    /**
     * Opens (or reuses) the model of {@code settings}, whose model is a local directory or a Hadoop URI; its
     * session runs {@code threads} intra-op threads (0: ONNX Runtime's default).
     */
    static Lease acquire(ScoreSettings settings, List<Problem> problems, int threads, int keep) {
        ScoreSettings local = settings.withModel(localDirectory(settings.model()).toString());
        Entry entry;
        synchronized (ExecutorModels.class) {
            keepOpen = Math.max(1, keep);
            entry = OPEN.computeIfAbsent(local, Entry::new);
            entry.users++;
            closeIdle();
        }
        try {
            synchronized (entry) {
                if (entry.model == null) {
                    ScoringModel m = ScoringModel.open(entry.settings);
                    try {
                        // every prompt of the job, as the driver and rlif score check and fit them
                        problems.forEach(m::encode);
                        m.fitMaxNewTokens();
                        m.startEngine(threads);
                    } catch (RuntimeException e) {
                        m.close();
                        throw e;
                    }
                    entry.model = m;
                }
            }
        } catch (RuntimeException e) {
            synchronized (ExecutorModels.class) {
                entry.users--;
                if (entry.model == null && entry.users == 0) {
                    OPEN.remove(entry.settings);
                }
            }
            throw e;
        }
        return new Lease(entry);
    }

    /** Closes idle models, least recently used first, until at most {@code keepOpen} models are open. */
    private static void closeIdle() {
        int over = OPEN.size() - keepOpen;
        for (Iterator<Entry> it = OPEN.values().iterator(); it.hasNext() && over > 0; ) {
            Entry e = it.next();
            if (e.users == 0) {
                it.remove();
                over--;
                synchronized (e) {
                    if (e.model != null) {
                        e.model.close();
                        e.model = null;
                    }
                }
            }
        }
    }

    /**
     * The model directory on this machine: the path itself for a local one ({@code file:} or no scheme);
     * otherwise a copy under the JVM's temporary directory, made once and published by a rename.
     */
    static Path localDirectory(String location) {
        URI uri = URI.create(location.replace(" ", "%20"));
        if (uri.getScheme() == null || uri.getScheme().equals("file")) {
            return uri.getScheme() == null ? Path.of(location) : Path.of(uri);
        }
        Path cache = Path.of(System.getProperty("java.io.tmpdir"), "rlif-spark-models", digest(location));
        synchronized (ExecutorModels.class) {
            if (Files.isDirectory(cache)) {
                return cache;
            }
            try {
                Files.createDirectories(cache.getParent());
                Path staging = Files.createTempDirectory(cache.getParent(), "copy-");
                org.apache.hadoop.fs.Path src = new org.apache.hadoop.fs.Path(location);
                FileSystem fs = src.getFileSystem(new Configuration());
                if (!fs.getFileStatus(src).isDirectory()) {
                    throw new BadInputException("--model " + location + " is not a directory");
                }
                for (org.apache.hadoop.fs.FileStatus f : fs.listStatus(src)) {
                    if (f.isFile()) {
                        fs.copyToLocalFile(false, f.getPath(),
                                new org.apache.hadoop.fs.Path(staging.resolve(f.getPath().getName()).toUri()), true);
                    }
                }
                try {
                    Files.move(staging, cache, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
                } catch (IOException raced) {
                    // another executor on this host published it first
                    if (!Files.isDirectory(cache)) {
                        throw raced;
                    }
                }
                return cache;
            } catch (IOException e) {
                throw new UncheckedIOException("cannot copy model " + location + " to local disk: " + e.getMessage(), e);
            }
        }
    }

    private static String digest(String s) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
