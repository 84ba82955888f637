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
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import rlif.evaluator.data.Problem;
import rlif.evaluator.report.RolloutRow;
import rlif.evaluator.score.ScoreSettings;
import rlif.evaluator.score.ScoringModel;
import rlif.models.BadInputException;

/**
 * The ONNX Runtime sessions open in this executor JVM. A running task holds a session of its model of its own
 * (the rollout engine runs one batch at a time), so an executor running c tasks of one model holds c sessions,
 * each with {@code --threads} threads; when a task ends its session stays open for the next unit of the same
 * model, and beyond {@code keep} idle sessions the least recently used is closed. A model on a remote file
 * system is copied to local disk once per executor host, since ONNX Runtime reads local files.
 */
final class ExecutorModels {
    /** Idle sessions, least recently used first, each with the settings it was opened with. */
    private static final Deque<Idle> IDLE = new ArrayDeque<>();

    private record Idle(ScoreSettings settings, ScoringModel model) {}

    /** Held while a remote model is copied to this host. */
    private static final Object COPYING = new Object();

    private ExecutorModels() {}

    /** A task's session of its model; closing the lease keeps it for the next task of the same model. */
    static final class Lease implements AutoCloseable {
        private final ScoreSettings settings;
        private final ScoringModel model;
        private final int keep;
        private boolean released;

        private Lease(ScoreSettings settings, ScoringModel model, int keep) {
            this.settings = settings;
            this.model = model;
            this.keep = keep;
        }

        /** The rows of problems {@code [from, to)}, every sample, in run order. */
        List<RolloutRow> score(int from, int to) {
            return model.score(from, to);
        }

        /** Wall time the session has spent in its engine, over every task that held it. */
        long engineNanos() {
            return model.engineNanos();
        }

        @Override
        public void close() {
            List<ScoringModel> closing = new ArrayList<>();
            synchronized (IDLE) {
                if (released) {
                    return;
                }
                released = true;
                IDLE.addLast(new Idle(settings, model));
                while (IDLE.size() > Math.max(0, keep)) {
                    closing.add(IDLE.removeFirst().model());
                }
            }
            closing.forEach(ScoringModel::close);
        }
    }

    /**
     * A session of the model of {@code settings} (a local directory or a Hadoop URI) for one task: an idle one
     * opened with the same settings, or a new one, which checks every prompt of {@code problems} and fits
     * {@code --max-new-tokens} as rlif score does and runs {@code threads} intra-op threads (0: ONNX Runtime's
     * default); {@code keep} idle sessions stay open after the task.
     */
    static Lease acquire(ScoreSettings settings, List<Problem> problems, int threads, int keep) {
        synchronized (IDLE) {
            for (Iterator<Idle> it = IDLE.descendingIterator(); it.hasNext(); ) {
                Idle idle = it.next();
                if (idle.settings().equals(settings)) {
                    it.remove();
                    return new Lease(settings, idle.model(), keep);
                }
            }
        }
        ScoringModel m = ScoringModel.open(settings.withModel(localDirectory(settings.model()).toString()),
                new ListedProblems(problems), threads);
        try {
            m.start();
        } catch (RuntimeException e) {
            m.close();
            throw e;
        }
        return new Lease(settings, m, keep);
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
        synchronized (COPYING) {
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
